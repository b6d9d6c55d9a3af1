import { everyCombination, processCounter } from '@onecommons/telemetry';

/**
 * What became of a Connect webhook: applied, a duplicate, ignored (another type, or an account no payee is paid
 * on), failed (Stripe sends it again), or refused before reading it: unsigned, or a signature that does not verify
 * (after a rolled STRIPE_CONNECT_WEBHOOK_SECRET, every event).
 */
export const CONNECT_WEBHOOK_OUTCOMES = [
  'applied',
  'duplicate',
  'ignored',
  'failed',
  'unsigned',
  'invalid_signature',
] as const;
export type ConnectWebhookMetricOutcome = (typeof CONNECT_WEBHOOK_OUTCOMES)[number];

const webhooks = processCounter(
  {
    name: 'onecommons_payouts_stripe_connect_webhooks_total',
    help: 'Stripe Connect webhooks (account.updated) by outcome: applied, duplicate, ignored, failed, unsigned, invalid_signature',
    labelNames: ['outcome'],
  },
  everyCombination({ outcome: CONNECT_WEBHOOK_OUTCOMES }),
);

export function countConnectWebhook(outcome: ConnectWebhookMetricOutcome): void {
  webhooks.inc({ outcome });
}
