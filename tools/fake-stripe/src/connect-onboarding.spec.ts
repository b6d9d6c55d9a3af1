import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './fake-stripe-server.js';

const secretKey = 'sk_test_fake_stripe_onboarding_spec';
const connectSecret = 'whsec_connect_onboarding_spec';
const platformSecret = 'whsec_platform_onboarding_spec';
const REFRESH = 'https://platform.example/onboarding/refresh?session=s1';
const RETURN = 'https://platform.example/onboarding/return?session=s1';
let fake: FakeStripe;
let stripe: Stripe;
let receiver: Server;
let clock = Date.parse('2026-11-20T10:00:00Z');
const received: { path: string; event: Stripe.Event | undefined }[] = [];

beforeAll(async () => {
  const verifier = new Stripe(secretKey);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const secret = request.url === '/connect' ? connectSecret : platformSecret;
      let event: Stripe.Event | undefined;
      try {
        event = verifier.webhooks.constructEvent(
          Buffer.concat(chunks),
          String(request.headers['stripe-signature']),
          secret,
          // The fake's clock is not the wall clock: no tolerance check.
          Number.MAX_SAFE_INTEGER,
        );
      } catch {
        event = undefined;
      }
      received.push({ path: request.url ?? '', event });
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  fake = await startFakeStripe({
    secretKey,
    now: () => clock,
    webhookEndpoints: [
      { url: `http://127.0.0.1:${port}/platform`, secret: platformSecret },
      { url: `http://127.0.0.1:${port}/connect`, secret: connectSecret, connect: true },
    ],
  });
  const { hostname, port: fakePort } = new URL(fake.url);
  stripe = new Stripe(secretKey, { host: hostname, port: fakePort, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const expressAccount = () =>
  stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });

const onboardingLink = (account: string) =>
  stripe.accountLinks.create({
    account,
    type: 'account_onboarding',
    refresh_url: REFRESH,
    return_url: RETURN,
  });

/** The account holder's browser: no API key, redirects not followed. */
const browse = (url: string, form?: Record<string, string>) =>
  fetch(url, {
    redirect: 'manual',
    ...(form
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });

const sessionOf = (page: string) => /name="session" value="([^"]+)"/.exec(page)?.[1] ?? '';

const COMPLETE_FORM = {
  business_type: 'individual',
  name: 'Ada Payee',
  email: 'ada@example.org',
  iban: 'DE89 3704 0044 0532 0130 00',
  tos: 'accepted',
};

describe('Connect Onboarding in the fake, driven by the official SDK', () => {
  it('opens an Express account that can receive nothing until onboarded', async () => {
    const account = await expressAccount();
    expect(account).toMatchObject({
      type: 'express',
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
      requirements: { disabled_reason: 'requirements.past_due' },
    });
    expect(account.requirements?.currently_due).toEqual(expect.arrayContaining(['external_account']));
    await expect(
      stripe.transfers.create({ amount: 100, currency: 'eur', destination: account.id }),
    ).rejects.toMatchObject({ code: 'insufficient_capabilities_for_transfer' });
  });

  it('makes a single-use link that expires, in the shape of Stripe’s AccountLink', async () => {
    const account = await expressAccount();
    const link = await onboardingLink(account.id);
    expect(link).toEqual({
      object: 'account_link',
      created: Math.floor(clock / 1_000),
      expires_at: Math.floor(clock / 1_000) + 300,
      url: expect.stringMatching(new RegExp(`^${fake.url}/setup/e/${account.id}/[A-Za-z0-9]+$`)),
    });
    const opened = await browse(link.url);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('<form method="post">');
    // Visited before: back to the platform for a new link.
    const again = await browse(link.url);
    expect({ status: again.status, location: again.headers.get('location') }).toEqual({
      status: 302,
      location: REFRESH,
    });
    const late = await onboardingLink(account.id);
    clock += 301_000;
    expect((await browse(late.url)).headers.get('location')).toBe(REFRESH);
    expect((await browse(`${late.url}x`)).status).toBe(404);
  });

  it('completes onboarding on the form’s submission, redirects to return_url and tells Connect endpoints', async () => {
    const account = await expressAccount();
    const form = await browse((await onboardingLink(account.id)).url);
    const session = sessionOf(await form.text());
    const incomplete = await browse(form.url, { session, name: 'Ada' });
    expect(incomplete.status).toBe(400);
    expect(await incomplete.text()).toContain('Enter the IBAN');
    expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(false);
    // Someone else's submission without the page's session goes nowhere.
    expect((await browse(form.url, { ...COMPLETE_FORM, session: 'forged' })).headers.get('location')).toBe(
      REFRESH,
    );

    const done = await browse(form.url, { ...COMPLETE_FORM, session });
    expect({ status: done.status, location: done.headers.get('location') }).toEqual({
      status: 303,
      location: RETURN,
    });
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      details_submitted: true,
      payouts_enabled: true,
      email: 'ada@example.org',
      business_type: 'individual',
      capabilities: { transfers: 'active' },
      requirements: { currently_due: [], past_due: [], disabled_reason: null },
    });
    // Submitted once: the same form cannot be sent again.
    expect((await browse(form.url, { ...COMPLETE_FORM, session })).headers.get('location')).toBe(REFRESH);

    await fake.webhooksIdle();
    const updates = received.filter(
      (delivery) => delivery.event?.type === 'account.updated' && delivery.event.account === account.id,
    );
    // Creation and completion, both to the Connect endpoint only, signed with its secret.
    expect(updates.map((delivery) => delivery.path)).toEqual(['/connect', '/connect']);
    const completed = updates[1]!.event!;
    expect(completed.data.object).toMatchObject({ id: account.id, payouts_enabled: true });
    expect(completed.data.previous_attributes).toMatchObject({
      payouts_enabled: false,
      details_submitted: false,
    });
    expect(received.every((delivery) => delivery.event !== undefined)).toBe(true);
    const transfer = await stripe.transfers.create({ amount: 100, currency: 'eur', destination: account.id });
    expect(transfer.destination).toBe(account.id);
  });

  it('refuses links for unknown accounts, bad URLs and account_update on Express accounts', async () => {
    const account = await expressAccount();
    await expect(onboardingLink('acct_missing')).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'account',
    });
    await expect(
      stripe.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        refresh_url: 'javascript:alert(1)',
        return_url: RETURN,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'refresh_url' });
    await expect(
      stripe.accountLinks.create({
        account: account.id,
        type: 'account_update',
        refresh_url: REFRESH,
        return_url: RETURN,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'type' });
  });
});
