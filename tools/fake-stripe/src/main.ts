#!/usr/bin/env node
import { startFakeStripe } from './fake-stripe-server.js';
import { type WebhookEndpoint } from './webhook-deliverer.js';

/**
 * `node tools/fake-stripe/dist/src/main.js`: the fake Stripe as a process, configured by the environment:
 * FAKE_STRIPE_PORT (default 12111; 0 picks a free one, printed in the `listening on` line),
 * FAKE_STRIPE_HOST (127.0.0.1), FAKE_STRIPE_SECRET_KEY (sk_test_...),
 * FAKE_STRIPE_WEBHOOK_URL and FAKE_STRIPE_WEBHOOK_SECRET (whsec_...; both or neither): the platform's endpoint,
 * FAKE_STRIPE_CONNECT_WEBHOOK_URL and FAKE_STRIPE_CONNECT_WEBHOOK_SECRET (both or neither): the Connect endpoint
 * (events of connected accounts, e.g. `account.updated`),
 * FAKE_STRIPE_PUBLIC_URL (where browsers reach the fake: the base of account links; default its own address),
 * FAKE_STRIPE_RENEWAL_CHECK_MS (default 10000; 0 = renew only through the test helper),
 * FAKE_STRIPE_PLATFORM_BALANCE (Connect's available balance per currency in minor units,
 * default `eur:1000000000000,usd:1000000000000`).
 */
function variable(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') fail(`${name} is required`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`fake-stripe: ${message}\n`);
  process.exit(78);
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${name} must be an integer ${min}-${max}`);
  return value;
}

/** `eur:100,usd:200` → `{ eur: 100, usd: 200 }`. */
function balances(name: string): Record<string, number> | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const entries = raw.split(',').map((entry) => /^([A-Za-z]{3}):(\d{1,15})$/.exec(entry.trim()));
  if (entries.some((entry) => !entry)) fail(`${name} must look like eur:1000000000000,usd:1000000000000`);
  return Object.fromEntries(entries.map((entry) => [entry![1]!.toLowerCase(), Number(entry![2])]));
}

const secretKey = variable('FAKE_STRIPE_SECRET_KEY');
if (!/^sk_test_[A-Za-z0-9_]+$/.test(secretKey))
  fail('FAKE_STRIPE_SECRET_KEY must be a test key (sk_test_...)');
/** An endpoint from `<prefix>_URL` and `<prefix>_SECRET`, both or neither. */
function endpoint(prefix: string, connect: boolean): WebhookEndpoint[] {
  const url = process.env[`${prefix}_URL`];
  const secret = process.env[`${prefix}_SECRET`];
  if (Boolean(url) !== Boolean(secret)) fail(`${prefix}_URL and ${prefix}_SECRET go together`);
  if (!url || !secret) return [];
  if (!secret.startsWith('whsec_')) fail(`${prefix}_SECRET must start with whsec_`);
  if (!URL.canParse(url)) fail(`${prefix}_URL must be an absolute URL`);
  return [{ url, secret, connect }];
}

const webhookEndpoints = [
  ...endpoint('FAKE_STRIPE_WEBHOOK', false),
  ...endpoint('FAKE_STRIPE_CONNECT_WEBHOOK', true),
];
const publicUrl = process.env['FAKE_STRIPE_PUBLIC_URL'] || undefined;
if (publicUrl !== undefined && !URL.canParse(publicUrl))
  fail('FAKE_STRIPE_PUBLIC_URL must be an absolute URL');

const platformBalance = balances('FAKE_STRIPE_PLATFORM_BALANCE');

const fake = await startFakeStripe({
  secretKey,
  host: variable('FAKE_STRIPE_HOST', '127.0.0.1'),
  port: integer('FAKE_STRIPE_PORT', 12_111, 0, 65_535),
  webhookEndpoints,
  ...(publicUrl ? { publicUrl } : {}),
  renewalCheckIntervalMs: integer('FAKE_STRIPE_RENEWAL_CHECK_MS', 10_000, 0, 86_400_000),
  ...(platformBalance ? { platformBalance } : {}),
});
process.stdout.write(
  `fake-stripe: listening on ${fake.url}${webhookEndpoints.map((each) => `, ${each.connect ? 'Connect webhooks' : 'webhooks'} to ${each.url}`).join('')}\n`,
);

const stop = (signal: NodeJS.Signals) => {
  process.stdout.write(`fake-stripe: ${signal}, stopping\n`);
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
