import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type ApiKeyPrincipal,
  AuthModule,
  Authenticated,
  CurrentApiKey,
  CurrentPrincipal,
  type Principal,
  remoteAuthSetup,
  RequireApiKey,
  RequireOrganization,
  RequirePlatformRole,
} from '@onecommons/auth';
import { ApiExceptionFilter } from '@onecommons/service-kit';
import { startService, type RunningService } from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import { announceService, GENEROUS_RATE_LIMITS, IdentityClient } from './identity-client.js';

/**
 * Another service as every service but identity runs libs/auth: tokens checked locally against identity's
 * JWKS, roles and memberships from the token's claims, API keys by introspection at identity.
 */
@Controller('probe')
class ProbeController {
  @Get('account')
  @Authenticated()
  account(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject, organizations: principal.organizations };
  }

  @Get('admin')
  @RequirePlatformRole('admin')
  admin() {
    return { ok: true };
  }

  @Get('operators/:organizationId')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'], kinds: ['operator'] })
  operator() {
    return { ok: true };
  }

  @Get('usage')
  @RequireApiKey('metering:write')
  usage(@CurrentApiKey() key: ApiKeyPrincipal) {
    return key;
  }

  @Get('webhooks')
  @RequireApiKey('webhooks:manage')
  webhooks() {
    return { ok: true };
  }
}

let identity: RunningService<IdentityConfig>;
let client: IdentityClient;
let other: INestApplication;
let otherUrl: string;

beforeAll(async () => {
  identity = await startService(identityService, { env: { ...GENEROUS_RATE_LIMITS } });
  client = new IdentityClient(identity);
  const setup = remoteAuthSetup({
    AUTH_ISSUER: identity.config.AUTH_ISSUER,
    AUTH_AUDIENCE: identity.config.AUTH_AUDIENCE,
    AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
    AUTH_API_KEY_INTROSPECTION_URL: `${identity.url}/api/identity/v1/internal/api-keys/introspect`,
    INTERNAL_API_TOKEN: identity.config.INTERNAL_API_TOKEN,
  });
  @Module({ imports: [AuthModule.forRoot({ useFactory: () => setup })], controllers: [ProbeController] })
  class OtherServiceModule {}
  other = await NestFactory.create(OtherServiceModule, { logger: false });
  other.useGlobalFilters(new ApiExceptionFilter());
  await other.listen(0, '127.0.0.1');
  otherUrl = `http://127.0.0.1:${(other.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await other.close();
  await identity.stop();
});

async function probe(path: string, credential?: string) {
  const response = await fetch(`${otherUrl}/probe/${path}`, {
    headers: credential ? { authorization: `Bearer ${credential}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('another service authenticating with libs/auth', () => {
  it('accepts identity’s tokens and reads memberships from their claims', async () => {
    const owner = await client.newAccount('remote');
    const operatorId = await client.newOrganization(owner.token, 'operator');
    const developerId = await client.newOrganization(owner.token, 'developer');
    const token = await client.login(owner.email);

    expect(await probe('account', token)).toEqual({
      status: 200,
      body: {
        subject: owner.id,
        organizations: expect.arrayContaining([
          { id: operatorId, kind: 'operator', role: 'owner' },
          { id: developerId, kind: 'developer', role: 'owner' },
        ]),
      },
    });
    expect((await probe(`operators/${operatorId}`, token)).status).toBe(200);
    expect(await probe(`operators/${developerId}`, token)).toMatchObject({
      status: 403,
      body: { error: { code: 'wrong_organization_kind' } },
    });
    expect(await probe(`operators/${randomUUID()}`, token)).toMatchObject({
      status: 403,
      body: { error: { code: 'not_a_member' } },
    });
    expect((await probe('admin', token)).status).toBe(403);
    expect((await probe('account')).status).toBe(401);
    expect((await probe('account', `${token.slice(0, -4)}AAAA`)).status).toBe(401);
  });

  it('checks API keys at identity on every request: scope, binding, and revocation at once', async () => {
    const owner = await client.newAccount('remote-keys');
    const organizationId = await client.newOrganization(owner.token, 'operator');
    const serviceId = await announceService(identity, organizationId);
    const created = await client.call<{ id: string; key: string }>(
      'POST',
      `/v1/organizations/${organizationId}/api-keys`,
      { credential: owner.token, body: { name: 'usage', scopes: ['metering:write'], serviceId } },
    );
    const { id, key } = created.body;

    expect(await probe('usage', key)).toEqual({
      status: 200,
      body: { kind: 'api_key', keyId: id, organizationId, scopes: ['metering:write'], serviceId },
    });
    expect(await probe('webhooks', key)).toMatchObject({
      status: 403,
      body: { error: { code: 'insufficient_scope' } },
    });
    expect(await probe('account', key)).toMatchObject({
      status: 401,
      body: { error: { code: 'access_token_required' } },
    });

    await client.call('DELETE', `/v1/organizations/${organizationId}/api-keys/${id}`, {
      credential: owner.token,
    });
    expect(await probe('usage', key)).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
  });
});
