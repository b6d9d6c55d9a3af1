import { everyCombination, processCounter } from '@onecommons/telemetry';
import { HANDLED_PAYMENT_EVENT_TYPES } from './payment-event-types.js';
import { type WebhookOutcome } from './stripe-event-processor.js';

/** What became of an event: the answer Stripe got, or `failed` when applying it threw (Stripe sends it again). */
export type PaymentEventOutcome = WebhookOutcome | 'failed';
const OUTCOMES: readonly PaymentEventOutcome[] = ['applied', 'duplicate', 'ignored', 'failed'];

/** Why a webhook was refused before it was read: no signature, or one that does not verify. */
export type RefusedWebhookReason = 'unsigned' | 'invalid_signature';
const REFUSAL_REASONS: readonly RefusedWebhookReason[] = ['unsigned', 'invalid_signature'];

// The types identity does not act on are left out of the zero series: Stripe names them, and only subscribed
// ones arrive.
const events = processCounter(
  {
    name: 'onecommons_identity_payment_provider_events_total',
    help: 'Payment provider webhook events, by event type and outcome (applied, duplicate, ignored, failed); invoice.paid applied is a payment captured',
    labelNames: ['type', 'outcome'],
  },
  everyCombination({ type: HANDLED_PAYMENT_EVENT_TYPES, outcome: OUTCOMES }),
);

const refused = processCounter(
  {
    name: 'onecommons_identity_payment_provider_webhooks_refused_total',
    help: 'Payment provider webhooks refused before reading them: unsigned, or a signature that does not verify',
    labelNames: ['reason'],
  },
  everyCombination({ reason: REFUSAL_REASONS }),
);

/** Counted once the event's transaction committed (so a rolled-back event is not applied), or failed. */
export function countPaymentProviderEvent(type: string, outcome: PaymentEventOutcome): void {
  events.inc({ type, outcome });
}

export function countRefusedPaymentWebhook(reason: RefusedWebhookReason): void {
  refused.inc({ reason });
}
