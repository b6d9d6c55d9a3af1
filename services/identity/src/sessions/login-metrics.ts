import { everyCombination, processCounter } from '@onecommons/telemetry';

export type LoginOutcome = 'succeeded' | 'invalid_credentials';
const OUTCOMES: readonly LoginOutcome[] = ['succeeded', 'invalid_credentials'];

const logins = processCounter(
  {
    name: 'onecommons_identity_logins_total',
    help: 'Password logins, by outcome (succeeded, invalid_credentials)',
    labelNames: ['outcome'],
  },
  everyCombination({ outcome: OUTCOMES }),
);

export function countLogin(outcome: LoginOutcome): void {
  logins.inc({ outcome });
}
