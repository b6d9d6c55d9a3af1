import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testStack } from '@onecommons/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  call,
  closePeriod,
  newAccount,
  newOperatedService,
  newOrganization,
  platformAdmin,
  serviceEnvironmentValue,
  type TestAccount,
} from './gateway-client.js';
import { suiteFetch } from './suite-address.js';
import { PAST_PERIODS, publishPastPeriod } from './past-periods.js';

// Issue #23, part 3: a payee onboards through Stripe Connect's account link, as a person would with a browser:
// its owner starts onboarding through the gateway, follows Stripe's link (the local fake Stripe's hosted form),
// gets a new link from the platform's refresh page when the first was used, and submits the form. Stripe's signed
// `account.updated` reaches payouts, which marks the account verified. A close while it was onboarding held its
// money; the next close pays all of it to the new connected account.

const stack = testStack();
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
const PAYOUTS = '/api/payouts/v1';
const LEDGER = '/api/ledger/v1';
/** Past periods of this suite alone (e2e topics are fresh each run), closed by force with synthetic payments. */
const HELD_PERIOD = PAST_PERIODS.onboardingHeld;
const PAID_PERIOD = PAST_PERIODS.onboardingPaid;
const meter = `onboarding_seconds_${randomUUID().slice(0, 8)}`;

let admin: TestAccount;
let owner: TestAccount;
let organizationId: string;
let serviceId: string;
let payee: string;

interface PayeeView {
  payoutAccount: { status: string; statusReason: string | null; onboarding: boolean; display: string } | null;
  balances: { currency: string; payableMinor: string }[];
  nextPayout: { status: string; reason: string | null };
}

interface Payout {
  id: string;
  period: string;
  state: string;
  amountMinor: string;
  rail: string;
  reference: string | null;
}

beforeAll(async () => {
  admin = await platformAdmin();
  expect(
    (await call('PUT', `/api/catalog/v1/meters/${meter}`, { credential: admin.token, body: { weight: '1' } }))
      .status,
  ).toBe(200);
  owner = await newAccount('onboarding-operator');
  organizationId = await newOrganization(owner, 'operator');
  serviceId = await newOperatedService(owner, organizationId);
  payee = `operator:${organizationId}`;
});

afterAll(async () => {
  await database.end();
});

/** Two paying subscribers used the operator's service in a past period (as identity and metering would say); closed. */
async function closeWithPayments(period: string): Promise<void> {
  const subscriber = { amountMinor: '3000', usage: [{ serviceId, meter, quantity: '600' }] };
  await publishPastPeriod(period, [subscriber, subscriber]);
  await eventually(`the ledger to apply ${period}'s payments and usage`, async () => {
    const view = await call<{ subscribers: number; usage: { rows: number } }>(
      'GET',
      `${LEDGER}/periods/${period}`,
      {
        credential: admin.token,
      },
    );
    return view.body.subscribers >= 2 && view.body.usage.rows >= 2 ? true : undefined;
  });
  expect((await closePeriod(admin.token, period)).status).toBe(200);
}

const payeeView = async () =>
  (await call<PayeeView>('GET', `${PAYOUTS}/payees/${payee}`, { credential: owner.token })).body;

/** The payee's browser: from the suite's address, redirects not followed. */
async function browse(url: string, form?: Record<string, string>) {
  const response = await suiteFetch(
    url,
    form
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {},
  );
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

describe('a payee onboarding through Stripe Connect', () => {
  let accountId: string;
  let returnUrl: string;

  it('starts onboarding through the gateway and is held at a close meanwhile, its balance kept', async () => {
    const started = await call<{
      url: string;
      expiresAt: string;
      accountId: string;
      payoutAccount: { status: string };
    }>('POST', `${PAYOUTS}/payees/${payee}/payout-account/onboarding`, { credential: owner.token });
    expect(started).toMatchObject({
      status: 201,
      body: { accountId: expect.stringMatching(/^acct_/), payoutAccount: { status: 'unverified' } },
    });
    accountId = started.body.accountId;
    // Stripe's link, opened and left: used, it sends the browser to the platform's refresh page.
    expect((await browse(started.body.url)).status).toBe(200);
    const used = await browse(started.body.url);
    expect(used.status).toBe(302);
    expect(used.location).toMatch(
      new RegExp(`^${stack.gatewayUrl}/api/payouts/onboarding/refresh\\?session=`),
    );

    await closeWithPayments(HELD_PERIOD);
    const line = await eventually(`${payee}'s ${HELD_PERIOD} batch line`, async () => {
      const { rows } = await database.query<{ outcome: string; reason: string }>(
        'SELECT outcome, reason FROM payouts.batch_lines WHERE period = $1 AND payee = $2',
        [HELD_PERIOD, payee],
      );
      return rows[0];
    });
    expect(line).toEqual({ outcome: 'held', reason: 'unverified_payout_account' });
    const view = await payeeView();
    expect(view.nextPayout).toMatchObject({ status: 'held', reason: 'unverified_payout_account' });
    expect(BigInt(view.balances[0]?.payableMinor ?? '0')).toBeGreaterThan(0n);

    // Back on the platform's refresh page: a new link into the same account's onboarding.
    const refreshed = await browse(used.location!);
    expect(refreshed.status).toBe(303);
    expect(refreshed.location).toContain(`/setup/e/${accountId}/`);
    const form = await browse(refreshed.location!);
    expect(form.status).toBe(200);
    const session = /name="session" value="([^"]+)"/.exec(form.text)?.[1];
    expect(session).toBeDefined();
    const submitted = await browse(refreshed.location!, {
      session: session!,
      business_type: 'company',
      name: 'Onboarding Operator GmbH',
      email: owner.email,
      iban: 'DE89 3704 0044 0532 0130 00',
      tos: 'accepted',
    });
    expect(submitted.status).toBe(303);
    returnUrl = submitted.location!;
    expect(returnUrl).toMatch(new RegExp(`^${stack.gatewayUrl}/api/payouts/onboarding/return\\?session=`));
  });

  it('is verified by Stripe’s account.updated webhook, and its return page says so', async () => {
    // Polled before the return page is opened: the webhook, not the page, verifies it.
    const account = await eventually('the Connect webhook to verify the payout account', async () => {
      const view = await payeeView();
      return view.payoutAccount?.status === 'verified' ? view.payoutAccount : undefined;
    });
    expect(account).toMatchObject({ onboarding: true, statusReason: null, display: `Stripe ${accountId}` });
    expect((await payeeView()).nextPayout.status).toBe('will_pay');
    const page = await browse(returnUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Payouts are set up');
  });

  it('is paid at the next close, what was held included, to its new connected account', async () => {
    await closeWithPayments(PAID_PERIOD);
    // The held amount goes in this batch, or in an earlier one another file's close made once the account was
    // verified (payouts pays all that is payable at every close): all of it is paid, once, to the new account.
    const payouts = await eventually(
      `${payee}'s ${PAID_PERIOD} payout, and every other, to succeed`,
      async () => {
        const list = await call<{ items: Payout[] }>('GET', `${PAYOUTS}/payouts?payee=${payee}`, {
          credential: owner.token,
        });
        const paid = list.body.items.some((item) => item.period === PAID_PERIOD);
        return paid && list.body.items.every((item) => item.state === 'succeeded')
          ? list.body.items
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const { rows } = await database.query<{ credited: string }>(
      'SELECT sum(amount_minor)::text AS credited FROM payouts.payable_credits WHERE payee = $1',
      [payee],
    );
    const paidTotal = payouts.reduce((sum, payout) => sum + BigInt(payout.amountMinor), 0n);
    expect(paidTotal.toString()).toBe(rows[0]?.credited);
    const credits = await database.query<{ period: string }>(
      'SELECT period FROM payouts.payable_credits WHERE payee = $1 ORDER BY period',
      [payee],
    );
    expect(credits.rows.map((row) => row.period)).toEqual([HELD_PERIOD, PAID_PERIOD]);
    for (const payout of payouts) {
      expect(payout.rail).toBe('stripe');
      const transfer = await fetch(
        `${serviceEnvironmentValue('payouts', 'STRIPE_API_BASE')}/v1/transfers/${payout.reference}`,
        { headers: { authorization: `Bearer ${serviceEnvironmentValue('payouts', 'STRIPE_SECRET_KEY')}` } },
      );
      expect(await transfer.json()).toMatchObject({
        destination: accountId,
        amount: Number(payout.amountMinor),
      });
    }
    expect((await payeeView()).balances.every((balance) => balance.payableMinor === '0')).toBe(true);
  });
});
