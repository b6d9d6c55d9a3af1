import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jsonRequest } from '@onecommons/testing';
import { decodeJwt } from 'jose';
import { type Account, PayoutsStack } from './payouts-stack.js';

/**
 * Where a payee's money goes is decided by identity's memberships and roles at the moment of the request,
 * not by the claims of an access token issued before a revocation (payouts asks identity's internal
 * `/v1/internal/access` with the platform-internal credential).
 */
let stack: PayoutsStack;

beforeAll(async () => {
  stack = await PayoutsStack.start();
});

afterAll(async () => {
  await stack.stop();
});

const identity = (path: string) => `${stack.identity.url}/api/identity/v1${path}`;

async function joinAsOwner(organizationId: string, owner: Account, joiner: Account): Promise<void> {
  const invited = await jsonRequest<{ id: string }>(
    identity(`/organizations/${organizationId}/invitations`),
    'POST',
    {
      credential: owner.token,
      body: { accountId: joiner.id, role: 'owner' },
    },
  );
  expect(invited.status).toBe(201);
  const accepted = await jsonRequest(identity(`/invitations/${invited.body.id}/accept`), 'POST', {
    credential: joiner.token,
  });
  expect(accepted.status).toBe(200);
}

describe('payouts checks live membership on the writes that move money', () => {
  it('refuses a removed owner at once, although its token still names the organization', async () => {
    const organization = await stack.organization('operator');
    const payee = `operator:${organization.id}`;
    const coOwner = await stack.account('co-owner');
    await joinAsOwner(organization.id, organization.owner, coOwner);
    const token = await stack.login(coOwner.email);
    expect(decodeJwt(token)['orgs']).toEqual([{ id: organization.id, kind: 'operator', role: 'owner' }]);
    const preferences = () => stack.call('PUT', `/payees/${payee}/preferences`, token, { autoRedeem: false });
    expect((await preferences()).status).toBe(200);

    const removed = await jsonRequest(
      identity(`/organizations/${organization.id}/members/${coOwner.id}`),
      'DELETE',
      { credential: organization.owner.token },
    );
    expect(removed.status).toBe(204);

    // The token is unchanged and unexpired; payouts asks identity and refuses.
    expect(decodeJwt(token)['orgs']).toEqual([{ id: organization.id, kind: 'operator', role: 'owner' }]);
    expect(await preferences()).toMatchObject({ status: 404, body: { error: { code: 'payee_not_found' } } });
    expect(
      await stack.call('PUT', `/payees/${payee}/payout-account`, token, {
        rail: 'stripe',
        accountId: 'acct_attacker',
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'payee_not_found' } } });
    // Nor open a Stripe account for it through onboarding.
    expect(await stack.call('POST', `/payees/${payee}/payout-account/onboarding`, token)).toMatchObject({
      status: 404,
      body: { error: { code: 'payee_not_found' } },
    });
    const [account] = await stack.payouts.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM payout_accounts WHERE payee = $1',
      [payee],
    );
    expect(account?.n).toBe(0);
    // The remaining owner still manages the payee.
    expect(
      (
        await stack.call('PUT', `/payees/${payee}/preferences`, organization.owner.token, {
          autoRedeem: true,
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an admin whose role was revoked at once on admin endpoints', async () => {
    const second = await stack.account('second-admin');
    expect(
      (await jsonRequest(identity(`/admins/${second.id}`), 'PUT', { credential: stack.admin.token })).status,
    ).toBe(200);
    const token = await stack.login(second.email);
    const member = await stack.account('held');
    const hold = () =>
      stack.call('POST', `/payees/member:${member.id}/holds`, token, {
        reason: 'fraud_review',
        note: 'test',
      });
    expect((await hold()).status).toBe(201);
    expect(
      (await jsonRequest(identity(`/admins/${second.id}`), 'DELETE', { credential: stack.admin.token }))
        .status,
    ).toBe(204);
    expect(decodeJwt(token)['roles']).toEqual(['admin']);
    expect(await hold()).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });
});
