import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import {
  call,
  login,
  newAccount,
  newOperatedService,
  newOrganization,
  PASSWORD,
  requestServiceKey,
  serviceEnvironmentValue,
  type TestAccount,
} from './gateway-client.js';

/**
 * Issue #18 at identity: an outsider who signed up tries to steer money that is not theirs. Each attack is
 * answered 4xx with a code, and nothing changes.
 */
const stack = testStack();
const IDENTITY = '/api/identity/v1';
const identityUrl = stack.services['identity']?.url as string;

/** An identity variable as `./dev` set it, or identity's documented default. */
function identitySetting(name: string, fallback: number): number {
  try {
    return Number(serviceEnvironmentValue('identity', name));
  } catch {
    return fallback;
  }
}

async function outsider(): Promise<TestAccount> {
  return newAccount('outsider');
}

describe('an outsider against identity', () => {
  it('cannot get a metering key for another operator’s service', async () => {
    const victim = await newAccount('victim-operator');
    const victimOrganization = await newOrganization(victim, 'operator');
    const serviceId = await newOperatedService(victim, victimOrganization);
    // The victim's own key works once identity has learned the service from catalog.
    expect((await requestServiceKey(victimOrganization, victim.token, serviceId)).status).toBe(201);

    const attacker = await outsider();
    const attackerOrganization = await newOrganization(attacker, 'operator');
    expect(await requestServiceKey(attackerOrganization, attacker.token, serviceId)).toMatchObject({
      status: 403,
      body: { error: { code: 'service_not_operated', field: 'serviceId' } },
    });
    // Nor by naming the victim's organization.
    expect(await requestServiceKey(victimOrganization, attacker.token, serviceId)).toMatchObject({
      status: 403,
      body: { error: { code: 'not_a_member' } },
    });
    const keys = await call<{ items: unknown[] }>(
      'GET',
      `${IDENTITY}/organizations/${attackerOrganization}/api-keys`,
      {
        credential: attacker.token,
      },
    );
    expect(keys).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('cannot make anyone a member without their consent', async () => {
    const attacker = await outsider();
    const organizationId = await newOrganization(attacker, 'operator');
    const victim = await newAccount('victim');
    expect(
      await call('PUT', `${IDENTITY}/organizations/${organizationId}/members/${victim.id}`, {
        credential: attacker.token,
        body: { role: 'owner' },
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'member_not_found', field: 'accountId' } } });
    // An invitation is only a question: the victim is no member until it accepts, and the attacker cannot.
    const invited = await call<{ id: string }>(
      'POST',
      `${IDENTITY}/organizations/${organizationId}/invitations`,
      {
        credential: attacker.token,
        body: { accountId: victim.id, role: 'owner' },
      },
    );
    expect(invited.status).toBe(201);
    expect(
      await call('POST', `${IDENTITY}/invitations/${invited.body.id}/accept`, { credential: attacker.token }),
    ).toMatchObject({ status: 404, body: { error: { code: 'invitation_not_found' } } });
    const victimsOrganizations = await call<{ items: unknown[] }>('GET', `${IDENTITY}/organizations`, {
      credential: await login(victim.email),
    });
    expect(victimsOrganizations.body.items).toEqual([]);
    const members = await call<{ items: { accountId: string }[] }>(
      'GET',
      `${IDENTITY}/organizations/${organizationId}/members`,
      { credential: attacker.token },
    );
    expect(members.body.items.map((member) => member.accountId)).toEqual([attacker.id]);
  });

  it('cannot force 120 memberships: none happens, and pending invitations stop at the bound', async () => {
    const pendingLimit = identitySetting('PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT', 50);
    const attacker = await outsider();
    const organizationId = await newOrganization(attacker, 'developer');
    const answers = new Map<string, number>();
    const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
    for (let index = 0; index < 120; index += 1) {
      const target = await call<{ id: string }>('POST', `${IDENTITY}/accounts`, {
        body: { email: `forced-${index}-${randomUUID()}@example.org`, password: PASSWORD },
      });
      expect(target.status).toBe(201);
      const forced = await call<{ error?: { code: string } }>(
        'PUT',
        `${IDENTITY}/organizations/${organizationId}/members/${target.body.id}`,
        { credential: attacker.token, body: { role: 'member' } },
      );
      count(`PUT ${forced.status} ${forced.body.error?.code ?? ''}`);
      const invited = await call<{ error?: { code: string; field?: string } }>(
        'POST',
        `${IDENTITY}/organizations/${organizationId}/invitations`,
        { credential: attacker.token, body: { accountId: target.body.id, role: 'member' } },
      );
      count(`invite ${invited.status} ${invited.body.error?.code ?? ''} ${invited.body.error?.field ?? ''}`);
    }
    const invited = Math.min(120, pendingLimit);
    expect(Object.fromEntries(answers)).toEqual({
      'PUT 404 member_not_found': 120,
      'invite 201  ': invited,
      ...(120 > pendingLimit ? { 'invite 409 limit_reached invitations': 120 - pendingLimit } : {}),
    });
    const members = await call<{ items: unknown[] }>(
      'GET',
      `${IDENTITY}/organizations/${organizationId}/members`,
      {
        credential: attacker.token,
      },
    );
    expect(members.body.items).toHaveLength(1);
  });

  it('cannot call identity’s internal endpoints, even at identity’s own port', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${identityUrl}${IDENTITY}/internal/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const attacker = await outsider();
    for (const [path, body] of [
      ['api-keys/introspect', { key: 'ock_guess' }],
      ['access', { accountId: attacker.id }],
    ] as const) {
      for (const [headers, code] of [
        [{}, 'internal_credential_required'],
        [{ authorization: `Bearer ${attacker.token}` }, 'internal_credential_required'],
        [
          { 'x-onecommons-internal-token': 'a guess that is long enough to look like one' },
          'invalid_internal_credential',
        ],
      ] as const) {
        const answer = await post(path, body, headers);
        expect({ path, code, status: answer.status, body: await answer.json() }).toMatchObject({
          path,
          code,
          status: 401,
          body: { error: { code } },
        });
      }
      // Through the gateway the path does not exist at all.
      expect((await call('POST', `${IDENTITY}/internal/${path}`, { body })).status).toBe(404);
    }
  });

  it('cannot brute-force one account’s password from many client addresses', async () => {
    const perAccount = identitySetting('LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR', 100);
    const victim = await newAccount('brute-forced');
    const attempt = (password: string, address: string) =>
      fetch(`${identityUrl}${IDENTITY}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ email: victim.email, password }),
      });
    // A botnet: every guess from another address (as a gateway would forward it), each address used once.
    const statuses = new Map<number, number>();
    for (let index = 0; index <= perAccount + 5; index += 1) {
      const address = `198.51.${Math.floor(index / 250)}.${(index % 250) + 1}`;
      const answer = await attempt(`wrong guess ${index}`, address);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status === 429) {
        expect(await answer.json()).toMatchObject({ error: { code: 'rate_limited' } });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses.get(429)).toBeGreaterThan(0);
    // While blocked, even the right password from a fresh address gets no token.
    expect((await attempt(PASSWORD, '203.0.113.77')).status).toBe(429);
    // Through the gateway with forged X-Forwarded-For values it is blocked all the same.
    const forged = await fetch(`${stack.gatewayUrl}${IDENTITY}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.200' },
      body: JSON.stringify({ email: victim.email, password: 'yet another guess' }),
    });
    expect(forged.status).toBe(429);
    // Another account is not locked out by it.
    const bystander = await newAccount('bystander');
    expect(bystander.token).toBeTruthy();
  });
});
