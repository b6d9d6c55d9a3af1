import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import pg from 'pg';
import {
  call,
  login,
  newAccount,
  newOrganization,
  platformAdmin,
  type TestAccount,
} from './gateway-client.js';
import { suiteFetch } from './suite-address.js';

// Issue #23, as an outsider who signs up would try it through the gateway: nobody but a payee's owners (or the
// member itself) opens a Stripe account for the payee through onboarding, so nobody else decides where its money
// goes; a forged Stripe webhook verifies nothing; a forged onboarding link makes no Stripe link.

const stack = testStack();
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
const IDENTITY = '/api/identity/v1';
const PAYOUTS = '/api/payouts/v1';

let admin: TestAccount;
let owner: TestAccount;
let organizationId: string;
let member: TestAccount;
let outsider: TestAccount;

const onboard = (payee: string, token?: string) =>
  call<{ accountId?: string; error?: { code: string; field?: string } }>(
    'POST',
    `${PAYOUTS}/payees/${payee}/payout-account/onboarding`,
    token ? { credential: token } : {},
  );

const accountsOf = async (payee: string) =>
  (
    await database.query<{ stripe_account_id: string | null; status: string }>(
      'SELECT stripe_account_id, status FROM payouts.payout_accounts WHERE payee = $1',
      [payee],
    )
  ).rows;

beforeAll(async () => {
  admin = await platformAdmin();
  owner = await newAccount('payee-owner');
  organizationId = await newOrganization(owner, 'operator');
  // A plain member of the organization: it sees the payee, but does not decide where its money goes.
  member = await newAccount('payee-member');
  const invited = await call<{ id: string }>(
    'POST',
    `${IDENTITY}/organizations/${organizationId}/invitations`,
    {
      credential: owner.token,
      body: { accountId: member.id, role: 'member' },
    },
  );
  expect(invited.status).toBe(201);
  expect(
    (await call('POST', `${IDENTITY}/invitations/${invited.body.id}/accept`, { credential: member.token }))
      .status,
  ).toBe(200);
  member.token = await login(member.email);
  outsider = await newAccount('payouts-outsider');
});

afterAll(async () => {
  await database.end();
});

describe('an outsider who signs up', () => {
  it('cannot start another payee’s onboarding (404), nor can a plain member or an admin (403); nothing is opened', async () => {
    const operatorPayee = `operator:${organizationId}`;
    const memberPayee = `member:${owner.id}`;
    expect(await onboard(operatorPayee, outsider.token)).toMatchObject({
      status: 404,
      body: { error: { code: 'payee_not_found' } },
    });
    expect(await onboard(memberPayee, outsider.token)).toMatchObject({
      status: 404,
      body: { error: { code: 'payee_not_found' } },
    });
    expect(await onboard(operatorPayee, member.token)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    // Admins run the platform; they do not redirect anyone's money.
    expect(await onboard(operatorPayee, admin.token)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await onboard(operatorPayee)).status).toBe(401);
    expect(await accountsOf(operatorPayee)).toEqual([]);
    expect(await accountsOf(memberPayee)).toEqual([]);
    // Its own member payee it may onboard, and only that one is opened.
    const own = await onboard(`member:${outsider.id}`, outsider.token);
    expect(own).toMatchObject({ status: 201, body: { accountId: expect.stringMatching(/^acct_/) } });
    expect(await accountsOf(`member:${outsider.id}`)).toEqual([
      { stripe_account_id: own.body.accountId, status: 'unverified' },
    ]);
  });

  it('cannot verify a payout account with a forged Stripe webhook: 400 invalid_signature, nothing changes', async () => {
    const payee = `operator:${organizationId}`;
    const started = await onboard(payee, owner.token);
    expect(started.status).toBe(201);
    const accountId = started.body.accountId!;
    const eventId = `evt_forged_${accountId}`;
    const payload = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'account.updated',
      account: accountId,
      created: Math.floor(Date.now() / 1_000),
      data: {
        object: {
          id: accountId,
          object: 'account',
          details_submitted: true,
          payouts_enabled: true,
          capabilities: { transfers: 'active' },
          requirements: { currently_due: [], past_due: [], disabled_reason: null },
        },
      },
    });
    const now = Math.floor(Date.now() / 1_000);
    const forged = `t=${now},v1=${createHmac('sha256', 'whsec_guessed').update(`${now}.${payload}`).digest('hex')}`;
    for (const headers of [{ 'stripe-signature': forged }, {}]) {
      const response = await suiteFetch(`${stack.gatewayUrl}${PAYOUTS}/stripe/connect-webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
      expect({ status: response.status, body: await response.json() }).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_signature', field: 'stripe-signature' } },
      });
    }
    // Stripe's genuine events arrive meanwhile (the account's creation): the forged one is not among them.
    const recorded = await database.query('SELECT 1 FROM payouts.stripe_webhook_events WHERE event_id = $1', [
      eventId,
    ]);
    expect(recorded.rows).toEqual([]);
    expect(await accountsOf(payee)).toEqual([{ stripe_account_id: accountId, status: 'unverified' }]);
  });

  it('gets no Stripe link from a forged onboarding refresh link', async () => {
    for (const session of ['v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(200), 'forged', ''])
      for (const page of ['refresh', 'return']) {
        const response = await suiteFetch(
          `${stack.gatewayUrl}/api/payouts/onboarding/${page}?session=${encodeURIComponent(session)}`,
        );
        expect({ page, status: response.status, location: response.headers.get('location') }).toEqual({
          page,
          status: 400,
          location: null,
        });
        expect(await response.text()).toContain('onboarding_link_invalid');
      }
  });
});
