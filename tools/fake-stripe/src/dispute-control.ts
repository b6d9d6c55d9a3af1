import { DISPUTE_REASONS, type DisputeReason } from './charge-engine.js';
import { jsonOf } from './connect-control.js';
import { type FakeStripe } from './fake-stripe-server.js';
import { StripeApiError } from './stripe-error.js';

/**
 * The cardholder's bank, which Stripe's API cannot drive (JSON bodies): `POST /_fake/charges/:id/dispute`
 * {amount?, reason?} opens a dispute and withdraws its funds; `POST /_fake/disputes/:id/close`
 * {outcome: won|lost} closes it (won reinstates the funds). Undefined when the path is neither.
 */
export function disputeControl(
  fake: FakeStripe,
  method: string,
  path: string,
  body: string,
): { status: number; body: unknown } | undefined {
  const open = /^\/_fake\/charges\/([A-Za-z0-9_]+)\/dispute$/.exec(path);
  const close = /^\/_fake\/disputes\/([A-Za-z0-9_]+)\/close$/.exec(path);
  if (method === 'POST' && open) {
    const { amount, reason } = jsonOf(body) as { amount?: unknown; reason?: unknown };
    if (amount !== undefined && !Number.isSafeInteger(amount))
      throw StripeApiError.invalid('amount', 'amount must be an integer');
    if (reason !== undefined && !(DISPUTE_REASONS as readonly unknown[]).includes(reason))
      throw StripeApiError.invalid('reason', `reason must be one of ${DISPUTE_REASONS.join(', ')}`);
    const options = {
      ...(amount === undefined ? {} : { amount: amount as number }),
      ...(reason === undefined ? {} : { reason: reason as DisputeReason }),
    };
    return { status: 200, body: fake.openDispute(open[1]!, options) };
  }
  if (method === 'POST' && close) {
    const { outcome } = jsonOf(body) as { outcome?: unknown };
    if (outcome !== 'won' && outcome !== 'lost')
      throw StripeApiError.invalid('outcome', 'outcome must be won or lost');
    return { status: 200, body: fake.closeDispute(close[1]!, outcome) };
  }
  return undefined;
}
