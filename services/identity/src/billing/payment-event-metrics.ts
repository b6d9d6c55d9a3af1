import { Counter, register } from 'prom-client';
import { type WebhookOutcome } from './stripe-event-processor.js';

const NAME = 'onecommons_identity_payment_provider_events_total';

// Integration tests boot several apps in one process: the counter is created once and then reused.
const events =
  (register.getSingleMetric(NAME) as Counter<'type' | 'outcome'> | undefined) ??
  new Counter({
    name: NAME,
    help: 'Payment provider webhook events, by event type and outcome (applied, duplicate, ignored); invoice.paid applied is a payment captured',
    labelNames: ['type', 'outcome'] as const,
  });

/** Counted once the event's transaction committed, so a rolled-back event is not counted. */
export function countPaymentProviderEvent(type: string, outcome: WebhookOutcome): void {
  events.inc({ type, outcome });
}
