export { BillingEngine } from './billing-engine.js';
export { ChargeEngine, DISPUTE_FEE, DISPUTE_REASONS, type DisputeReason } from './charge-engine.js';
export { ConnectEngine, DEFAULT_PLATFORM_BALANCE } from './connect-engine.js';
export type * from './connect-objects.js';
export { type FaultRule } from './fault-injector.js';
export {
  FAKE_STRIPE_API_VERSION,
  startFakeStripe,
  type FakeStripe,
  type FakeStripeOptions,
} from './fake-stripe-server.js';
export type * from './stripe-objects.js';
export { TEST_CARDS } from './test-cards.js';
export { type DeliveryAttempt, type RetryPolicy, type WebhookEndpoint } from './webhook-deliverer.js';
export { stripeSignatureHeader } from './webhook-signature.js';
