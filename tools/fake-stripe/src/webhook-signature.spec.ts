import Stripe from 'stripe';
import { stripeSignatureHeader } from './webhook-signature.js';

const stripe = new Stripe('sk_test_signature');
const secret = 'whsec_test_secret_for_the_fake';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } });

describe('stripeSignatureHeader', () => {
  it('is accepted by the official SDK’s constructEvent', () => {
    const header = stripeSignatureHeader(payload, secret, Math.floor(Date.now() / 1000));
    expect(stripe.webhooks.constructEvent(payload, header, secret).id).toBe('evt_1');
  });

  it('is refused by the SDK for another secret, another payload or an old timestamp', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = stripeSignatureHeader(payload, secret, now);
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => stripe.webhooks.constructEvent(`${payload} `, header, secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const old = stripeSignatureHeader(payload, secret, now - 3_600);
    expect(() => stripe.webhooks.constructEvent(payload, old, secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});
