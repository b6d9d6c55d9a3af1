import { everyCombination, startAtZero } from '@onecommons/telemetry';
import { Counter, register } from 'prom-client';

const NAME = 'onecommons_identity_logins_total';

export type LoginOutcome = 'succeeded' | 'invalid_credentials';
const OUTCOMES: readonly LoginOutcome[] = ['succeeded', 'invalid_credentials'];

// Integration tests boot several apps in one process: the counter is created once and then reused.
const logins = (register.getSingleMetric(NAME) as Counter<'outcome'> | undefined) ?? loginCounter();

function loginCounter(): Counter<'outcome'> {
  const counter = new Counter({
    name: NAME,
    help: 'Password logins, by outcome (succeeded, invalid_credentials)',
    labelNames: ['outcome'] as const,
  });
  startAtZero(counter, everyCombination({ outcome: OUTCOMES }));
  return counter;
}

export function countLogin(outcome: LoginOutcome): void {
  logins.inc({ outcome });
}
