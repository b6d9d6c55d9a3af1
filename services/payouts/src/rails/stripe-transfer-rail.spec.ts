import Stripe from 'stripe';
import { retryAfterMsOf } from './stripe-transfer-rail.js';

const rateLimited = (headers: Record<string, string>) =>
  new Stripe.errors.StripeRateLimitError({ message: 'slow down', type: 'invalid_request_error', headers });

describe('retryAfterMsOf', () => {
  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMsOf(rateLimited({ 'retry-after': '3' }))).toBe(3_000);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMsOf(rateLimited({ 'retry-after': 'Tue, 01 Dec 2026 10:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMsOf(rateLimited({ 'retry-after': 'Tue, 01 Dec 2026 09:59:00 GMT' }), now)).toBe(0);
  });

  it('gives no hint when the header is missing or unreadable', () => {
    expect(retryAfterMsOf(rateLimited({}))).toBeUndefined();
    expect(retryAfterMsOf(rateLimited({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});
