import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RemoteApiKeySource } from '@onecommons/auth';
import { startService, type RunningService } from '@onecommons/testing';
import { decodeJwt } from 'jose';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import {
  announceService,
  GENEROUS_RATE_LIMITS,
  IdentityClient,
  joinByInvitation,
} from './identity-client.js';

const BOOTSTRAP_TOKEN = `bootstrap-${randomUUID()}-${randomUUID()}`;
let identity: RunningService<IdentityConfig>;
let client: IdentityClient;

beforeAll(async () => {
  identity = await startService(identityService, {
    env: { IDENTITY_ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN, ...GENEROUS_RATE_LIMITS },
  });
  client = new IdentityClient(identity);
});

afterAll(async () => {
  await identity.stop();
});

const eventsOfType = (type: string) =>
  identity.query<{ message_key: string; payload: string }>(
    'SELECT message_key, payload FROM outbox WHERE event_type = $1 ORDER BY id',
    [type],
  );

describe('organizations', () => {
  it('makes the founder the owner, announces it, and puts the membership in new tokens', async () => {
    const founder = await client.newAccount('founder');
    const organizationId = await client.newOrganization(founder.token, 'operator');

    const created = await eventsOfType('onecommons.identity.organization.created.v1');
    expect(created.some((row) => row.message_key === organizationId)).toBe(true);
    const granted = (await eventsOfType('onecommons.identity.role.granted.v1')).filter(
      (row) => row.message_key === organizationId,
    );
    expect(granted).toHaveLength(1);
    expect(JSON.parse(granted[0]?.payload ?? '{}')).toMatchObject({
      data: { accountId: founder.id, organizationId, organizationKind: 'operator', role: 'owner' },
    });

    const token = await client.login(founder.email);
    expect(decodeJwt(token)['orgs']).toEqual([{ id: organizationId, kind: 'operator', role: 'owner' }]);
    const listed = await client.call<{ items: { id: string; role: string }[] }>('GET', '/v1/organizations', {
      credential: token,
    });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: organizationId, role: 'owner' })]);
  });

  it('refuses a duplicate name of the same kind, bad kinds and empty names with the failing field', async () => {
    const founder = await client.newAccount('names');
    const name = `Acme ${randomUUID()}`;
    const post = (body: unknown) =>
      client.call('POST', '/v1/organizations', { credential: founder.token, body });
    expect((await post({ name, kind: 'operator' })).status).toBe(201);
    expect(await post({ name: name.toUpperCase(), kind: 'operator' })).toMatchObject({
      status: 409,
      body: { error: { code: 'organization_name_taken', field: 'name' } },
    });
    expect((await post({ name, kind: 'developer' })).status).toBe(201);
    expect(await post({ name: 'x', kind: 'bank' })).toMatchObject({
      status: 400,
      body: { error: { field: 'kind' } },
    });
    expect(await post({ name: '  ', kind: 'partner' })).toMatchObject({
      status: 400,
      body: { error: { field: 'name' } },
    });
  });

  it('keeps at least one owner, and a removed member loses access at once in identity', async () => {
    const owner = await client.newAccount('owner');
    const colleague = await client.newAccount('colleague');
    const organizationId = await client.newOrganization(owner.token, 'developer');
    const members = `/v1/organizations/${organizationId}/members`;

    expect(
      await client.call('PUT', `${members}/${owner.id}`, {
        credential: owner.token,
        body: { role: 'member' },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'last_owner' } } });
    await joinByInvitation(client, owner.token, organizationId, colleague);
    const colleagueToken = await client.login(colleague.email);
    expect(
      (await client.call('GET', `/v1/organizations/${organizationId}`, { credential: colleagueToken }))
        .status,
    ).toBe(200);
    // A member cannot promote itself.
    expect(
      (
        await client.call('PUT', `${members}/${colleague.id}`, {
          credential: colleagueToken,
          body: { role: 'owner' },
        })
      ).status,
    ).toBe(403);

    expect(
      (await client.call('DELETE', `${members}/${colleague.id}`, { credential: owner.token })).status,
    ).toBe(204);
    // The token still claims the membership; identity checks its own tables.
    expect(
      await client.call('GET', `/v1/organizations/${organizationId}`, { credential: colleagueToken }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'not_a_member' } },
    });
    expect((await client.call('DELETE', `${members}/${owner.id}`, { credential: owner.token })).status).toBe(
      409,
    );
    expect(
      await client.call('PUT', `${members}/${randomUUID()}`, {
        credential: owner.token,
        body: { role: 'member' },
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'member_not_found', field: 'accountId' } } });
  });

  it('pages through organizations with a cursor', async () => {
    const founder = await client.newAccount('pager');
    const ids = [];
    for (let index = 0; index < 5; index += 1)
      ids.push(await client.newOrganization(founder.token, 'provider'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await client.call<{ items: { id: string }[]; nextCursor: string | null }>(
        'GET',
        `/v1/organizations${query}`,
        { credential: founder.token },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(
      await client.call('GET', '/v1/organizations?cursor=bm90LWEtY3Vyc29y', { credential: founder.token }),
    ).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor', field: 'cursor' } } });
  });
});

describe('platform admins', () => {
  it('bootstraps the first admin once with the token; later admins are granted by an admin', async () => {
    const first = await client.newAccount('admin');
    const wrong = await client.call('POST', '/v1/admins/bootstrap', {
      credential: first.token,
      body: { token: 'not the token at all' },
    });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'invalid_bootstrap_token' } } });
    const granted = await client.call('POST', '/v1/admins/bootstrap', {
      credential: first.token,
      body: { token: BOOTSTRAP_TOKEN },
    });
    expect(granted).toMatchObject({ status: 200, body: { accountId: first.id, grantedBy: null } });
    // Rerunning as the same admin is harmless; anyone else is refused even with the token.
    expect(
      (
        await client.call('POST', '/v1/admins/bootstrap', {
          credential: first.token,
          body: { token: BOOTSTRAP_TOKEN },
        })
      ).status,
    ).toBe(200);
    const second = await client.newAccount('second-admin');
    expect(
      await client.call('POST', '/v1/admins/bootstrap', {
        credential: second.token,
        body: { token: BOOTSTRAP_TOKEN },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'admin_exists' } } });

    const adminToken = await client.login(first.email);
    expect(decodeJwt(adminToken)['roles']).toEqual(['admin']);
    expect((await client.call('PUT', `/v1/admins/${second.id}`, { credential: adminToken })).status).toBe(
      200,
    );
    expect((await client.call('DELETE', `/v1/admins/${second.id}`, { credential: adminToken })).status).toBe(
      204,
    );
    expect(await client.call('DELETE', `/v1/admins/${first.id}`, { credential: adminToken })).toMatchObject({
      status: 409,
      body: { error: { code: 'last_admin' } },
    });
  });
});

describe('API keys', () => {
  async function operatorWithKey() {
    const owner = await client.newAccount('operator');
    const organizationId = await client.newOrganization(owner.token, 'operator');
    const serviceId = await announceService(identity, organizationId);
    const created = await client.call<{ id: string; key: string; displayPrefix: string }>(
      'POST',
      `/v1/organizations/${organizationId}/api-keys`,
      { credential: owner.token, body: { name: 'wiki-1 metering', scopes: ['metering:write'], serviceId } },
    );
    expect(created.status).toBe(201);
    return { owner, organizationId, serviceId, ...created.body };
  }

  it('shows the key once, stores only its hash, and resolves it to its organization, scope and service', async () => {
    const { organizationId, serviceId, id, key, displayPrefix, owner } = await operatorWithKey();
    expect(key).toMatch(/^ock_[0-9A-Za-z]{38}$/);
    expect(key.startsWith(displayPrefix)).toBe(true);
    const [stored] = await identity.query<{ key_hash: Buffer }>(
      'SELECT key_hash FROM api_keys WHERE id = $1',
      [id],
    );
    expect(stored?.key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    const listed = await client.call<{ items: Record<string, unknown>[] }>(
      'GET',
      `/v1/organizations/${organizationId}/api-keys`,
      { credential: owner.token },
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id, displayPrefix, serviceId, revokedAt: null }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const self = await client.call('GET', '/v1/api-keys/self', { credential: key });
    expect(self).toMatchObject({
      status: 200,
      body: { id, organizationId, scopes: ['metering:write'], serviceId },
    });
    const [used] = await identity.query<{ last_used_at: Date | null }>(
      'SELECT last_used_at FROM api_keys WHERE id = $1',
      [id],
    );
    expect(used?.last_used_at).toBeInstanceOf(Date);
  });

  it('stops working at once when revoked, in identity and through introspection by other services', async () => {
    const { organizationId, id, key, owner } = await operatorWithKey();
    const remote = new RemoteApiKeySource(
      `${identity.url}/api/identity/v1/internal/api-keys/introspect`,
      identity.config.INTERNAL_API_TOKEN,
    );
    expect(await remote.resolve(key)).toMatchObject({
      keyId: id,
      organizationId,
      scopes: ['metering:write'],
    });

    const revoked = await client.call('DELETE', `/v1/organizations/${organizationId}/api-keys/${id}`, {
      credential: owner.token,
    });
    expect(revoked).toMatchObject({ status: 200, body: { id, revokedAt: expect.any(String) } });
    expect(await client.call('GET', '/v1/api-keys/self', { credential: key })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
    expect(await remote.resolve(key)).toBeNull();
    const events = await eventsOfType('onecommons.identity.api-key.revoked.v1');
    expect(events.filter((row) => JSON.parse(row.payload).data.keyId === id)).toHaveLength(1);
  });

  it('refuses a made-up key without a lookup, an expired key, and keys of the wrong kind of organization', async () => {
    const { key, organizationId, owner, serviceId } = await operatorWithKey();
    const typo = `${key.slice(0, 10)}${key[10] === 'a' ? 'b' : 'a'}${key.slice(11)}`;
    expect((await client.call('GET', '/v1/api-keys/self', { credential: typo })).status).toBe(401);

    const expiring = await client.call<{ id: string; key: string }>(
      'POST',
      `/v1/organizations/${organizationId}/api-keys`,
      {
        credential: owner.token,
        body: {
          name: 'short-lived',
          scopes: ['metering:write'],
          serviceId,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        },
      },
    );
    expect(expiring.status).toBe(201);
    await identity.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expiring.body.id,
    ]);
    expect((await client.call('GET', '/v1/api-keys/self', { credential: expiring.body.key })).status).toBe(
      401,
    );

    const developer = await client.newOrganization(owner.token, 'developer');
    const ownerToken = await client.login(owner.email);
    expect(
      await client.call('POST', `/v1/organizations/${developer}/api-keys`, {
        credential: ownerToken,
        body: { name: 'nope', scopes: ['metering:write'], serviceId: randomUUID() },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'scope_not_allowed', field: 'scopes' } } });
    expect(
      await client.call('POST', `/v1/organizations/${organizationId}/api-keys`, {
        credential: ownerToken,
        body: { name: 'unbound', scopes: ['metering:write'] },
      }),
    ).toMatchObject({ status: 400, body: { error: { field: 'serviceId' } } });
    const count = await identity.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM api_keys WHERE organization_id = $1',
      [developer],
    );
    expect(count[0]?.n).toBe(0);
  });

  it('lets every kind of organization hold a webhooks:manage key (not bound to a service)', async () => {
    const owner = await client.newAccount('integrator');
    for (const kind of ['developer', 'operator', 'provider', 'partner'] as const) {
      const organizationId = await client.newOrganization(owner.token, kind);
      const created = await client.call<{ key: string }>(
        'POST',
        `/v1/organizations/${organizationId}/api-keys`,
        {
          credential: await client.login(owner.email),
          body: { name: `${kind} webhooks`, scopes: ['webhooks:manage'] },
        },
      );
      expect(created.status).toBe(201);
      expect(await client.call('GET', '/v1/api-keys/self', { credential: created.body.key })).toMatchObject({
        status: 200,
        body: { organizationId, scopes: ['webhooks:manage'], serviceId: null },
      });
    }
  });

  it('cannot be used where an access token is required, nor a token where a key is', async () => {
    const { key, owner } = await operatorWithKey();
    expect(await client.call('GET', '/v1/accounts/me', { credential: key })).toMatchObject({
      status: 401,
      body: { error: { code: 'access_token_required' } },
    });
    expect(await client.call('GET', '/v1/api-keys/self', { credential: owner.token })).toMatchObject({
      status: 401,
      body: { error: { code: 'api_key_required' } },
    });
  });
});
