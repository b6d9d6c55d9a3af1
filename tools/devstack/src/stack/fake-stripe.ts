import path from 'node:path';
import { profileSecret, REPO_ROOT, serviceUrl, portSlotOf, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';

const PROCESS_NAME = 'fake-stripe';
// A function, not a constant: profile.ts imports this module, so REPO_ROOT is not set yet at load.
const entry = () => path.join(REPO_ROOT, 'tools/fake-stripe/dist/src/main.js');
const HOST = '127.0.0.1';

/** The local stand-in for Stripe: dev 12111, test 12211 + 100 × slot, bench out of every slot's way. */
export function fakeStripePort(profile: Profile): number {
  if (profile.name === 'dev') return 12_111;
  return 12_211 + 100 * portSlotOf(profile);
}

export const fakeStripeUrl = (profile: Profile) => `http://${HOST}:${fakeStripePort(profile)}`;

/**
 * What the services and the fake share: the API key, the signing secret of identity's (platform) webhook and that
 * of payouts' Connect webhook (random per profile).
 */
export function stripeSecrets(profile: Profile): {
  secretKey: string;
  webhookSecret: string;
  connectWebhookSecret: string;
} {
  const hex = (name: string) => Buffer.from(profileSecret(profile, name), 'base64').toString('hex');
  return {
    secretKey: `sk_test_${hex('fake-stripe-secret-key')}`,
    webhookSecret: `whsec_${hex('fake-stripe-webhook-secret')}`,
    connectWebhookSecret: `whsec_${hex('fake-stripe-connect-webhook-secret')}`,
  };
}

/** Identity's Stripe settings in a local stack. */
export function identityStripeEnvironment(profile: Profile): Record<string, string> {
  const { secretKey, webhookSecret } = stripeSecrets(profile);
  return {
    STRIPE_API_BASE: fakeStripeUrl(profile),
    STRIPE_SECRET_KEY: secretKey,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
  };
}

/** Payouts' Stripe settings in a local stack: Connect transfers and onboarding go to the same fake. */
export function payoutsStripeEnvironment(profile: Profile): Record<string, string> {
  const { secretKey, connectWebhookSecret } = stripeSecrets(profile);
  return {
    STRIPE_API_BASE: fakeStripeUrl(profile),
    STRIPE_SECRET_KEY: secretKey,
    STRIPE_CONNECT_WEBHOOK_SECRET: connectWebhookSecret,
  };
}

/**
 * Starts the fake Stripe unless something answers on its port; it delivers webhooks to identity, and Connect
 * webhooks (connected accounts' events) to payouts.
 */
export async function ensureFakeStripe(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const port = fakeStripePort(profile);
  if (await answers(HOST, port)) return false;
  const { secretKey, webhookSecret, connectWebhookSecret } = stripeSecrets(profile);
  const logFile = path.join(profile.stateDir, 'logs', 'fake-stripe.log');
  say(`starting the fake Stripe on ${HOST}:${port}`);
  processes.start({
    name: PROCESS_NAME,
    command: process.execPath,
    args: ['--enable-source-maps', entry()],
    env: {
      FAKE_STRIPE_HOST: HOST,
      FAKE_STRIPE_PORT: String(port),
      FAKE_STRIPE_SECRET_KEY: secretKey,
      FAKE_STRIPE_WEBHOOK_URL: `${serviceUrl(profile, 'identity')}/api/identity/v1/payments/stripe/webhook`,
      FAKE_STRIPE_WEBHOOK_SECRET: webhookSecret,
      FAKE_STRIPE_CONNECT_WEBHOOK_URL: `${serviceUrl(profile, 'payouts')}/api/payouts/v1/stripe/connect-webhook`,
      FAKE_STRIPE_CONNECT_WEBHOOK_SECRET: connectWebhookSecret,
    },
    cwd: REPO_ROOT,
    logFile,
    marker: entry(),
  });
  try {
    await waitUntil(
      `the fake Stripe at ${HOST}:${port}`,
      async () => (await getJson(`${fakeStripeUrl(profile)}/_fake/health`)).status === 200,
      { timeoutMs: 15_000 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tailOf(logFile)}`);
  }
  return true;
}

export function stopFakeStripe(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME);
}
