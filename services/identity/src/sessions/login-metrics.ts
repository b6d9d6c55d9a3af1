import { Counter, register } from 'prom-client';

const NAME = 'onecommons_identity_logins_total';

// Integration tests boot several apps in one process: the counter is created once and then reused.
const logins =
  (register.getSingleMetric(NAME) as Counter<'outcome'> | undefined) ??
  new Counter({
    name: NAME,
    help: 'Password logins, by outcome (succeeded, invalid_credentials)',
    labelNames: ['outcome'] as const,
  });

export type LoginOutcome = 'succeeded' | 'invalid_credentials';

export function countLogin(outcome: LoginOutcome): void {
  logins.inc({ outcome });
}
