import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@onecommons/config';
import { createEvent, ServiceUpdatedV1 } from '@onecommons/contracts';
import { eventually, RawProducer, startService, type RunningService } from '@onecommons/testing';
import { decodeJwt } from 'jose';
import { type IdentityConfig, identityConfigSchema } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import {
  announceService,
  GENEROUS_RATE_LIMITS,
  IdentityClient,
  internalCall,
  joinByInvitation,
  type TestAccount,
} from './identity-client.js';

/** nginx's default `large_client_header_buffers` (8k): a token must fit with room to spare. */
const GATEWAY_HEADER_BUFFER_BYTES = 8 * 1024;
const MAX_ORGANIZATIONS = 25;
/** The least environment identity boots with (nothing is connected: only validation runs). */
const BOOT_ENV: Record<string, string> = {
  HTTP_PORT: '1',
  DATABASE_URL: 'postgres://identity@127.0.0.1:5432/nothing',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  KAFKA_BROKERS: '127.0.0.1:9092',
  IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PUBLIC_URL: 'http://onecommons.test',
  SMTP_URL: 'smtp://127.0.0.1:9',
  MAIL_FROM: 'no-reply@onecommons.test',
  INTERNAL_API_TOKEN: 'x'.repeat(32),
};

let identity: RunningService<IdentityConfig>;
let client: IdentityClient;

beforeAll(async () => {
  identity = await startService(identityService, {
    env: {
      ...GENEROUS_RATE_LIMITS,
      ORGANIZATIONS_PER_ACCOUNT_LIMIT: String(MAX_ORGANIZATIONS),
      PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT: '3',
      LIVE_API_KEYS_PER_ORGANIZATION_LIMIT: '2',
    },
  });
  client = new IdentityClient(identity);
});

afterAll(async () => {
  await identity.stop();
});

const countOf = async (sql: string, params: unknown[]) =>
  (await identity.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]?.n;

async function keyFor(owner: TestAccount, organizationId: string, serviceId: string) {
  return client.call<{ key: string; error?: { code: string; field?: string } }>(
    'POST',
    `/v1/organizations/${organizationId}/api-keys`,
    { credential: owner.token, body: { name: 'usage', scopes: ['metering:write'], serviceId } },
  );
}

describe('the internal credential', () => {
  it('lets the platform services in and nobody else, with a code', async () => {
    const body = { key: 'ock_nothing' };
    expect(await internalCall(identity, '/v1/internal/api-keys/introspect', body)).toEqual({
      status: 200,
      body: { active: false },
    });
    expect(await internalCall(identity, '/v1/internal/api-keys/introspect', body, null)).toMatchObject({
      status: 401,
      body: { error: { code: 'internal_credential_required' } },
    });
    const wrong = `${identity.config.INTERNAL_API_TOKEN.slice(0, -1)}!`;
    expect(await internalCall(identity, '/v1/internal/api-keys/introspect', body, wrong)).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_internal_credential' } },
    });
    // An account's access token is no internal credential either.
    const account = await client.newAccount('not-a-service');
    expect(
      await client.call('POST', '/v1/internal/access', {
        credential: account.token,
        body: { accountId: account.id },
      }),
    ).toMatchObject({ status: 401, body: { error: { code: 'internal_credential_required' } } });
  });

  it('is validated at boot: missing or shorter than 32 characters, identity does not start', () => {
    expect(() => loadConfig(identityConfigSchema, BOOT_ENV)).not.toThrow();
    const { INTERNAL_API_TOKEN: _omitted, ...without } = BOOT_ENV;
    for (const candidate of [without, { ...BOOT_ENV, INTERNAL_API_TOKEN: 'x'.repeat(31) }])
      expect(() => loadConfig(identityConfigSchema, candidate)).toThrow(/INTERNAL_API_TOKEN/);
  });

  it('answers live access: a removed member is no member at once, whatever its token says', async () => {
    const owner = await client.newAccount('live-owner');
    const member = await client.newAccount('live-member');
    const organizationId = await client.newOrganization(owner.token, 'operator');
    await joinByInvitation(client, owner.token, organizationId, member);
    const ask = () => internalCall(identity, '/v1/internal/access', { accountId: member.id, organizationId });
    expect(await ask()).toEqual({
      status: 200,
      body: { platformRoles: [], membership: { id: organizationId, kind: 'operator', role: 'member' } },
    });
    expect(
      (
        await client.call('DELETE', `/v1/organizations/${organizationId}/members/${member.id}`, {
          credential: owner.token,
        })
      ).status,
    ).toBe(204);
    expect(await ask()).toEqual({ status: 200, body: { platformRoles: [], membership: null } });
    expect(
      await internalCall(identity, '/v1/internal/access', { accountId: member.id, organizationId: 'x' }),
    ).toEqual({ status: 200, body: { platformRoles: [], membership: null } });
    expect(await internalCall(identity, '/v1/internal/access', { accountId: 'not-a-uuid' })).toMatchObject({
      status: 400,
      body: { error: { field: 'accountId' } },
    });
  });
});

describe('service-bound keys', () => {
  it('are issued only for an active service the organization operates, as catalog announced it', async () => {
    const operator = await client.newAccount('operator');
    const organizationId = await client.newOrganization(operator.token, 'operator');
    const rival = await client.newAccount('rival');
    const rivalOrganization = await client.newOrganization(rival.token, 'operator');
    const theirs = await announceService(identity, rivalOrganization);
    const suspended = await announceService(identity, organizationId, 'suspended');
    const ours = await announceService(identity, organizationId);

    expect(await keyFor(operator, organizationId, theirs)).toMatchObject({
      status: 403,
      body: { error: { code: 'service_not_operated', field: 'serviceId' } },
    });
    expect(await keyFor(operator, organizationId, suspended)).toMatchObject({
      status: 409,
      body: { error: { code: 'service_not_active', field: 'serviceId' } },
    });
    expect(await countOf('api_keys WHERE organization_id = $1', [organizationId])).toBe(0);
    expect((await keyFor(operator, organizationId, ours)).status).toBe(201);
  });

  it('refuses a service identity has not heard of yet as retryable (409 with Retry-After)', async () => {
    const operator = await client.newAccount('early');
    const organizationId = await client.newOrganization(operator.token, 'operator');
    const response = await fetch(`${identity.url}/api/identity/v1/organizations/${organizationId}/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` },
      body: JSON.stringify({
        name: 'usage',
        scopes: ['metering:write'],
        serviceId: '0199f0a0-0000-7000-8000-000000000001',
      }),
    });
    expect(response.status).toBe(409);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({
      error: { code: 'service_not_known_yet', field: 'serviceId' },
    });
  });

  it('follow catalog: a service handed to another operator is no longer the first one’s to key', async () => {
    const operator = await client.newAccount('handover');
    const organizationId = await client.newOrganization(operator.token, 'operator');
    const successor = await client.newOrganization(operator.token, 'operator');
    const serviceId = await announceService(identity, organizationId);
    const producer = await RawProducer.connect();
    try {
      const [state] = await identity.query<{ status: string }>(
        'SELECT status FROM catalog_services WHERE service_id = $1',
        [serviceId],
      );
      expect(state?.status).toBe('active');
      const event = createEvent(
        ServiceUpdatedV1,
        {
          serviceId,
          operatorId: successor,
          appId: serviceId,
          projectId: null,
          type: 'web',
          domain: `${serviceId}.example.org`,
          providerBps: null,
          developerBps: null,
          status: 'active',
        },
        { source: '/onecommons/catalog' },
      );
      await producer.send(ServiceUpdatedV1.topic, serviceId, JSON.stringify(event));
    } finally {
      await producer.stop();
    }
    await eventually('identity applies the handover', async () =>
      (await countOf('catalog_services WHERE service_id = $1 AND operator_id = $2', [
        serviceId,
        successor,
      ])) === 1
        ? true
        : undefined,
    );
    expect(await keyFor(operator, organizationId, serviceId)).toMatchObject({
      status: 403,
      body: { error: { code: 'service_not_operated' } },
    });
  });

  it('are bounded per organization (live keys only: a revoked key frees its place)', async () => {
    const operator = await client.newAccount('many-keys');
    const organizationId = await client.newOrganization(operator.token, 'operator');
    const serviceId = await announceService(identity, organizationId);
    const first = await client.call<{ id: string }>('POST', `/v1/organizations/${organizationId}/api-keys`, {
      credential: operator.token,
      body: { name: 'one', scopes: ['metering:write'], serviceId },
    });
    expect(first.status).toBe(201);
    expect((await keyFor(operator, organizationId, serviceId)).status).toBe(201);
    expect(await keyFor(operator, organizationId, serviceId)).toMatchObject({
      status: 409,
      body: { error: { code: 'limit_reached', field: 'apiKeys' } },
    });
    expect(await countOf('api_keys WHERE organization_id = $1', [organizationId])).toBe(2);
    await client.call('DELETE', `/v1/organizations/${organizationId}/api-keys/${first.body.id}`, {
      credential: operator.token,
    });
    expect((await keyFor(operator, organizationId, serviceId)).status).toBe(201);
  });
});

describe('memberships by invitation', () => {
  it('makes nobody a member without consent; the invitee accepts, and only then is the role granted', async () => {
    const owner = await client.newAccount('inviter');
    const invitee = await client.newAccount('invitee');
    const stranger = await client.newAccount('stranger');
    const organizationId = await client.newOrganization(owner.token, 'developer');
    const organization = `/v1/organizations/${organizationId}`;

    expect(
      await client.call('PUT', `${organization}/members/${invitee.id}`, {
        credential: owner.token,
        body: { role: 'owner' },
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'member_not_found', field: 'accountId' } } });
    const invited = await client.call<{ id: string; state: string }>('POST', `${organization}/invitations`, {
      credential: owner.token,
      body: { accountId: invitee.id, role: 'member' },
    });
    expect(invited).toMatchObject({ status: 201, body: { state: 'pending', organizationId } });
    // Inviting again answers the pending invitation.
    expect(
      await client.call('POST', `${organization}/invitations`, {
        credential: owner.token,
        body: { accountId: invitee.id, role: 'member' },
      }),
    ).toMatchObject({ status: 201, body: { id: invited.body.id } });
    const grantsOf = () =>
      countOf(
        `outbox WHERE event_type = 'onecommons.identity.role.granted.v1' AND payload::jsonb->'data'->>'accountId' = $1`,
        [invitee.id],
      );
    expect(await grantsOf()).toBe(0);
    expect(await countOf('memberships WHERE account_id = $1', [invitee.id])).toBe(0);

    const mine = await client.call<{ items: { id: string }[] }>('GET', '/v1/invitations', {
      credential: invitee.token,
    });
    expect(mine.body.items.map((item) => item.id)).toEqual([invited.body.id]);
    expect(
      (await client.call<{ items: unknown[] }>('GET', '/v1/invitations', { credential: stranger.token })).body
        .items,
    ).toEqual([]);
    // Nobody else can accept it for the invitee.
    for (const someone of [stranger, owner])
      expect(
        await client.call('POST', `/v1/invitations/${invited.body.id}/accept`, { credential: someone.token }),
      ).toMatchObject({ status: 404, body: { error: { code: 'invitation_not_found' } } });

    expect(
      await client.call('POST', `/v1/invitations/${invited.body.id}/accept`, { credential: invitee.token }),
    ).toMatchObject({ status: 200, body: { accountId: invitee.id, role: 'member', grantedBy: owner.id } });
    expect(await grantsOf()).toBe(1);
    expect(decodeJwt(await client.login(invitee.email))['orgs']).toEqual([
      { id: organizationId, kind: 'developer', role: 'member' },
    ]);
    expect(
      await client.call('POST', `/v1/invitations/${invited.body.id}/accept`, { credential: invitee.token }),
    ).toMatchObject({ status: 404 });
    expect(
      await client.call('POST', `${organization}/invitations`, {
        credential: owner.token,
        body: { accountId: invitee.id, role: 'owner' },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'already_a_member', field: 'accountId' } } });
  });

  it('lets the invitee decline and the owner cancel; neither makes a member', async () => {
    const owner = await client.newAccount('canceller');
    const organizationId = await client.newOrganization(owner.token, 'partner');
    const organization = `/v1/organizations/${organizationId}`;
    const decliner = await client.newAccount('decliner');
    const cancelled = await client.newAccount('cancelled');
    const invite = async (account: TestAccount) =>
      (
        await client.call<{ id: string }>('POST', `${organization}/invitations`, {
          credential: owner.token,
          body: { accountId: account.id, role: 'owner' },
        })
      ).body.id;
    const declined = await invite(decliner);
    const withdrawn = await invite(cancelled);
    const pending = await client.call<{ items: { id: string }[] }>('GET', `${organization}/invitations`, {
      credential: owner.token,
    });
    expect(pending.body.items.map((item) => item.id).sort()).toEqual([declined, withdrawn].sort());

    expect(
      (await client.call('POST', `/v1/invitations/${declined}/decline`, { credential: decliner.token }))
        .status,
    ).toBe(204);
    expect(
      (await client.call('DELETE', `${organization}/invitations/${withdrawn}`, { credential: owner.token }))
        .status,
    ).toBe(204);
    expect(
      await client.call('POST', `/v1/invitations/${withdrawn}/accept`, { credential: cancelled.token }),
    ).toMatchObject({ status: 404, body: { error: { code: 'invitation_not_found' } } });
    expect(await countOf('memberships WHERE organization_id = $1', [organizationId])).toBe(1);
  });

  it('bounds the pending invitations of an organization', async () => {
    const owner = await client.newAccount('spammer');
    const organizationId = await client.newOrganization(owner.token, 'developer');
    const invite = async () =>
      client.call('POST', `/v1/organizations/${organizationId}/invitations`, {
        credential: owner.token,
        body: { accountId: (await client.newAccount('target')).id, role: 'member' },
      });
    for (let index = 0; index < 3; index += 1) expect((await invite()).status).toBe(201);
    expect(await invite()).toMatchObject({
      status: 409,
      body: { error: { code: 'limit_reached', field: 'invitations' } },
    });
    expect(await countOf(`invitations WHERE organization_id = $1`, [organizationId])).toBe(3);
  });

  it('lets a member leave, but not the last owner', async () => {
    const owner = await client.newAccount('stayer');
    const leaver = await client.newAccount('leaver');
    const organizationId = await client.newOrganization(owner.token, 'provider');
    await joinByInvitation(client, owner.token, organizationId, leaver);
    expect(
      (await client.call('POST', `/v1/organizations/${organizationId}/leave`, { credential: leaver.token }))
        .status,
    ).toBe(204);
    expect(await countOf('memberships WHERE account_id = $1', [leaver.id])).toBe(0);
    expect(
      await countOf(
        `outbox WHERE event_type = 'onecommons.identity.role.revoked.v1' AND payload::jsonb->'data'->>'accountId' = $1`,
        [leaver.id],
      ),
    ).toBe(1);
    expect(
      await client.call('POST', `/v1/organizations/${organizationId}/leave`, { credential: owner.token }),
    ).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } });
  });
});

describe('organizations per account', () => {
  it('are bounded (founding and joining), so an access token stays well under the gateway header buffer', async () => {
    const founder = await client.newAccount('founder');
    const joiner = await client.newAccount('joiner');
    const organizations: string[] = [];
    for (let index = 0; index < MAX_ORGANIZATIONS; index += 1)
      organizations.push(await client.newOrganization(founder.token, 'developer', `bounded-${index}`));
    expect(
      await client.call('POST', '/v1/organizations', {
        credential: founder.token,
        body: { name: 'one too many', kind: 'developer' },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'limit_reached', field: 'organizations' } } });

    for (const organizationId of organizations)
      await joinByInvitation(client, founder.token, organizationId, joiner);
    const other = await client.newAccount('other-founder');
    const oneMore = await client.newOrganization(other.token, 'developer');
    const invited = await client.call<{ id: string }>('POST', `/v1/organizations/${oneMore}/invitations`, {
      credential: other.token,
      body: { accountId: joiner.id, role: 'member' },
    });
    expect(
      await client.call('POST', `/v1/invitations/${invited.body.id}/accept`, { credential: joiner.token }),
    ).toMatchObject({ status: 409, body: { error: { code: 'limit_reached', field: 'organizations' } } });
    expect(await countOf('memberships WHERE account_id = $1', [joiner.id])).toBe(MAX_ORGANIZATIONS);

    const token = await client.login(joiner.email);
    expect(decodeJwt(token)['orgs']).toHaveLength(MAX_ORGANIZATIONS);
    const headerBytes = Buffer.byteLength(`Authorization: Bearer ${token}`);
    expect(headerBytes).toBeLessThan(GATEWAY_HEADER_BUFFER_BYTES / 2);
  });

  it('refuses a maximum above the one that keeps tokens small, at boot', () => {
    const env = { ...BOOT_ENV, ORGANIZATIONS_PER_ACCOUNT_LIMIT: String(MAX_ORGANIZATIONS) };
    expect(loadConfig(identityConfigSchema, env).ORGANIZATIONS_PER_ACCOUNT_LIMIT).toBe(MAX_ORGANIZATIONS);
    env.ORGANIZATIONS_PER_ACCOUNT_LIMIT = String(MAX_ORGANIZATIONS + 1);
    expect(() => loadConfig(identityConfigSchema, env)).toThrow(/ORGANIZATIONS_PER_ACCOUNT_LIMIT/);
  });
});
