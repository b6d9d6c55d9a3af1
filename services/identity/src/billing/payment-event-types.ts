/** Stripe events about money going back out of a payment: refunds, and disputes' withdrawals and reinstatements. */
export const REVERSAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'refund.created',
  'refund.updated',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.dispute.closed',
]);

/** Every Stripe event type identity acts on; any other is acknowledged and ignored. */
export const HANDLED_PAYMENT_EVENT_TYPES: readonly string[] = [
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  ...REVERSAL_EVENT_TYPES,
];
