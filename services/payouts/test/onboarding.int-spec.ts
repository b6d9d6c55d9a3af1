import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, jsonRequest } from '@onecommons/testing';
import Stripe from 'stripe';
import { type Account, CONNECT_WEBHOOK_SECRET, PayoutsStack } from './payouts-stack.js';

// A payee's Stripe Connect onboarding (docs/payout-rules.md, "Stripe onboarding") against real Kafka, Postgres and
// Redis and the fake Stripe as its own process: an Express account opened once however often it is started, held
// while unverified, verified by Stripe's signed `account.updated`, paid at the next batch; the refresh and return
// pages; the webhook refusing unsigned and forged bodies, applying each event once and re-reading the account.

// Periods no other integration file closes: the ledger topic is shared, and a batch made for another file's close of
// the same period would be made before this file's credits arrive.
const PA = '2022-07';
const PB = '2022-08';

let stack: PayoutsStack;
let operator: { id: string; owner: Account };
let payee: string;

interface OnboardingLink {
  url: string;
  expiresAt: string;
  accountId: string;
  payoutAccount: { status: string; statusReason: string | null; onboarding: boolean; requirements: string[] };
}

interface PayeeView {
  payoutAccount: {
    status: string;
    statusReason: string | null;
    requirements: string[];
    display: string;
  } | null;
  balances: { currency: string; payableMinor: string }[];
  nextPayout: { status: string; reason: string | null };
}

const start = (token?: string, who = payee) =>
  stack.call<OnboardingLink>('POST', `/payees/${who}/payout-account/onboarding`, token);
const view = async () => (await stack.call<PayeeView>('GET', `/payees/${payee}`, operator.owner.token)).body;

/** The payee's browser: no credentials, redirects not followed. A platform URL goes to payouts itself. */
async function browse(url: string, form?: Record<string, string>) {
  const target = new URL(url);
  const local = target.origin === new URL(stack.payouts.url).origin || target.host === 'onecommons.test';
  const response = await fetch(local ? `${stack.payouts.url}${target.pathname}${target.search}` : url, {
    redirect: 'manual',
    ...(form
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

const sessionOf = (page: string) => /name="session" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** A webhook body and header as Stripe signs them (or with another secret: a forgery). */
function signed(event: Record<string, unknown>, secret = CONNECT_WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const header = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });
  return { payload, header };
}

const postWebhook = (payload: string, header?: string) =>
  fetch(`${stack.payouts.url}/api/payouts/v1/stripe/connect-webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    body: payload,
  }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  }));

const webhookEvents = async (eventId: string) =>
  (
    await stack.payouts.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM stripe_webhook_events WHERE event_id = $1',
      [eventId],
    )
  )[0]?.n;

beforeAll(async () => {
  stack = await PayoutsStack.start();
  operator = await stack.organization('operator');
  payee = `operator:${operator.id}`;
});

afterAll(async () => {
  await stack?.stop();
});

describe('starting onboarding', () => {
  it('is for the payee’s owners only: outsiders get 404, admins and the unauthenticated are refused', async () => {
    const outsider = await stack.account('outsider');
    expect(await start(outsider.token)).toMatchObject({
      status: 404,
      body: { error: { code: 'payee_not_found' } },
    });
    expect(await start(stack.admin.token)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await start()).status).toBe(401);
    // A member payee is the member's own: another account cannot start it, the member can.
    expect((await start(outsider.token, `member:${operator.owner.id}`)).status).toBe(404);
    expect(await start(operator.owner.token, 'operator:not-a-uuid')).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'payee' } },
    });
    const [accounts] = await stack.payouts.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM payout_accounts WHERE payee = $1',
      [payee],
    );
    expect(accounts?.n).toBe(0);
  });

  it('opens one Express account, unverified, and continues it when started again', async () => {
    const first = await start(operator.owner.token);
    expect(first).toMatchObject({
      status: 201,
      body: {
        accountId: expect.stringMatching(/^acct_/),
        url: expect.stringMatching(new RegExp(`^${stack.stripe.url}/setup/e/acct_`)),
        payoutAccount: { status: 'unverified', statusReason: 'onboarding_incomplete', onboarding: true },
      },
    });
    expect(first.body.payoutAccount.requirements).toContain('external_account');
    expect(Date.parse(first.body.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const again = await start(operator.owner.token);
    expect(again.body.accountId).toBe(first.body.accountId);
    expect(again.body.url).not.toBe(first.body.url);
    const account = await stack.stripe.api<{ type: string; metadata: Record<string, string> }>(
      'GET',
      `/v1/accounts/${first.body.accountId}`,
    );
    expect(account).toMatchObject({ type: 'express', metadata: { payee } });
    expect(
      await stack.payouts.query(
        'SELECT stripe_account_id, onboarding, active FROM payout_accounts WHERE payee = $1',
        [payee],
      ),
    ).toEqual([{ stripe_account_id: first.body.accountId, onboarding: true, active: true }]);
  });
});

describe('an onboarding payee', () => {
  let accountId: string;

  it('is held at a close, its balance kept', async () => {
    accountId = (await start(operator.owner.token)).body.accountId;
    await stack.closePeriod(PA, { [payee]: 4_000n });
    const [line] = await stack.payouts.query<{ outcome: string; reason: string }>(
      'SELECT outcome, reason FROM batch_lines WHERE period = $1 AND payee = $2',
      [PA, payee],
    );
    expect(line).toEqual({ outcome: 'held', reason: 'unverified_payout_account' });
    expect(await view()).toMatchObject({
      balances: [{ currency: 'EUR', payableMinor: '4000' }],
      nextPayout: { status: 'held', reason: 'unverified_payout_account' },
    });
  });

  it('gets a new link from the refresh page when Stripe’s was used, and refused links change nothing', async () => {
    const link = await start(operator.owner.token);
    expect((await browse(link.body.url)).status).toBe(200);
    const used = await browse(link.body.url);
    expect(used.status).toBe(302);
    const refreshUrl = used.location!;
    expect(new URL(refreshUrl).pathname).toBe('/api/payouts/onboarding/refresh');
    const refreshed = await browse(refreshUrl);
    expect(refreshed.status).toBe(303);
    expect(refreshed.location).toMatch(new RegExp(`^${stack.stripe.url}/setup/e/${accountId}/`));
    expect((await browse(refreshed.location!)).status).toBe(200);

    const session = new URL(refreshUrl).searchParams.get('session')!;
    const tampered = `${session.slice(0, -2)}${session.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [`?session=${encodeURIComponent(tampered)}`, '?session=nonsense', ''])
      expect(await browse(`${stack.payouts.url}/api/payouts/onboarding/refresh${bad}`)).toMatchObject({
        status: 400,
        text: expect.stringContaining('onboarding_link_invalid'),
      });
    expect((await view()).payoutAccount).toMatchObject({ status: 'unverified' });
  });

  it('is verified by Stripe’s signed account.updated once it submitted Stripe’s form, and sees it on the return page', async () => {
    const link = (await start(operator.owner.token)).body.url;
    const page = await browse(link);
    const submitted = await browse(link, {
      session: sessionOf(page.text),
      business_type: 'company',
      name: 'Operator GmbH',
      email: operator.owner.email,
      iban: 'DE89370400440532013000',
      tos: 'accepted',
    });
    expect(submitted.status).toBe(303);
    expect(new URL(submitted.location!).pathname).toBe('/api/payouts/onboarding/return');
    // The webhook, not the return page, verifies it: the page is not visited before.
    const verified = await eventually('the Connect webhook to verify the account', async () => {
      const account = (await view()).payoutAccount;
      return account?.status === 'verified' ? account : undefined;
    });
    expect(verified).toMatchObject({ statusReason: null, requirements: [], display: `Stripe ${accountId}` });
    expect(await view()).toMatchObject({ nextPayout: { status: 'will_pay' } });
    const returned = await browse(submitted.location!);
    expect(returned.status).toBe(200);
    expect(returned.text).toContain('Payouts are set up');
    // Verified: the refresh page sends the payee to the return page instead of Stripe.
    const refresh = new URL(submitted.location!);
    refresh.pathname = '/api/payouts/onboarding/refresh';
    expect((await browse(refresh.toString())).location).toBe(submitted.location);
  });

  it('is paid at the next close, what was held included', async () => {
    await stack.closePeriod(PB, { [payee]: 1_500n });
    await stack.settled(payee, PB, 'succeeded');
    // The held 4000 goes in PB's batch, or in an earlier one that another file's close made once the account was
    // verified (payouts hears every file's closes): all of it is paid, once, to the onboarded account.
    const payouts = await eventually('every payout to the payee to succeed', async () => {
      const rows = await stack.payouts.query<{ amount_minor: string; reference: string; state: string }>(
        'SELECT amount_minor::text AS amount_minor, reference, state FROM payouts WHERE payee = $1',
        [payee],
      );
      return rows.every((row) => row.state === 'succeeded') ? rows : undefined;
    });
    expect(payouts.reduce((sum, row) => sum + BigInt(row.amount_minor), 0n)).toBe(5500n);
    for (const payout of payouts) {
      const transfer = await stack.stripe.api<{ destination: string; amount: number }>(
        'GET',
        `/v1/transfers/${payout.reference}`,
      );
      expect(transfer).toMatchObject({ destination: accountId, amount: Number(payout.amount_minor) });
    }
  });

  it('is held again when Stripe disables its account, and released when Stripe restores it', async () => {
    await stack.stripe.control('POST', `/accounts/${accountId}/capabilities/transfers`, {
      status: 'inactive',
    });
    await eventually('the account to be unverified', async () =>
      (await view()).payoutAccount?.status === 'unverified' ? true : undefined,
    );
    expect((await view()).payoutAccount).toMatchObject({
      statusReason: 'requirements.past_due',
      requirements: ['individual.verification.document'],
    });
    await stack.stripe.control('POST', `/accounts/${accountId}/capabilities/transfers`, { status: 'active' });
    await eventually('the account to be verified again', async () =>
      (await view()).payoutAccount?.status === 'verified' ? true : undefined,
    );
  });
});

describe('the Connect webhook', () => {
  it('refuses unsigned and forged bodies with 400 invalid_signature, and records nothing', async () => {
    const [account] = await stack.payouts.query<{ stripe_account_id: string }>(
      'SELECT stripe_account_id FROM payout_accounts WHERE payee = $1 AND active',
      [payee],
    );
    const event = {
      id: 'evt_forged_1',
      object: 'event',
      type: 'account.updated',
      account: account!.stripe_account_id,
      created: Math.floor(Date.now() / 1_000),
      data: { object: { id: account!.stripe_account_id, object: 'account', payouts_enabled: false } },
    };
    const forged = signed(event, 'whsec_not_the_secret');
    for (const header of [undefined, forged.header, 't=1,v1=00'])
      expect(await postWebhook(forged.payload, header)).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_signature', field: 'stripe-signature' } },
      });
    // Not recorded (the fake Stripe's own deliveries may be, meanwhile: they are signed).
    expect(await webhookEvents('evt_forged_1')).toBe(0);
    expect((await view()).payoutAccount?.status).toBe('verified');
  });

  it('applies each event once, ignores strangers’ accounts and reads the account from Stripe, not the event', async () => {
    const [row] = await stack.payouts.query<{ stripe_account_id: string }>(
      'SELECT stripe_account_id FROM payout_accounts WHERE payee = $1 AND active',
      [payee],
    );
    const accountId = row!.stripe_account_id;
    // An old event, delivered late: it says payouts are off; Stripe says they are on.
    const stale = signed({
      id: 'evt_stale_1',
      object: 'event',
      type: 'account.updated',
      account: accountId,
      created: Math.floor(Date.now() / 1_000) - 86_400,
      data: {
        object: { id: accountId, object: 'account', payouts_enabled: false, details_submitted: false },
      },
    });
    expect(await postWebhook(stale.payload, stale.header)).toEqual({
      status: 200,
      body: { received: true, outcome: 'applied' },
    });
    expect((await view()).payoutAccount?.status).toBe('verified');
    expect((await postWebhook(stale.payload, stale.header)).body).toEqual({
      received: true,
      outcome: 'duplicate',
    });
    const stranger = signed({
      id: 'evt_stranger_1',
      object: 'event',
      type: 'account.updated',
      account: 'acct_nobodys',
      created: Math.floor(Date.now() / 1_000),
      data: { object: { id: 'acct_nobodys', object: 'account' } },
    });
    expect((await postWebhook(stranger.payload, stranger.header)).body).toEqual({
      received: true,
      outcome: 'ignored',
    });
    const other = signed({
      id: 'evt_other_1',
      object: 'event',
      type: 'payout.paid',
      account: accountId,
      created: Math.floor(Date.now() / 1_000),
      data: { object: { id: 'po_1', object: 'payout' } },
    });
    expect((await postWebhook(other.payload, other.header)).body).toEqual({
      received: true,
      outcome: 'ignored',
    });
    expect(
      // By id: the fake Stripe's own events (random ids) are recorded beside these.
      await stack.payouts.query(
        'SELECT event_id, outcome FROM stripe_webhook_events WHERE event_id = ANY($1::text[]) ORDER BY event_id',
        [['evt_stale_1', 'evt_stranger_1']],
      ),
    ).toEqual([
      { event_id: 'evt_stale_1', outcome: 'applied' },
      { event_id: 'evt_stranger_1', outcome: 'ignored' },
    ]);
  });
});

describe('a replaced payout account', () => {
  it('ends the onboarding’s links', async () => {
    const link = await start(operator.owner.token);
    expect((await browse(link.body.url)).status).toBe(200);
    const refreshUrl = (await browse(link.body.url)).location!;
    const replaced = await jsonRequest(
      `${stack.payouts.url}/api/payouts/v1/payees/${payee}/payout-account`,
      'PUT',
      {
        credential: operator.owner.token,
        body: { rail: 'bank', holderName: 'Operator GmbH', iban: 'NL91ABNA0417164300' },
      },
    );
    expect(replaced.status).toBe(200);
    expect(await browse(refreshUrl)).toMatchObject({
      status: 410,
      text: expect.stringContaining('onboarding_replaced'),
    });
    // Started again, onboarding opens a new Express account (the bank account is not Stripe's).
    const restarted = await start(operator.owner.token);
    expect(restarted.body.accountId).not.toBe(link.body.accountId);
  });
});
