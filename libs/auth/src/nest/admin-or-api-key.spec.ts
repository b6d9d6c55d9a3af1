import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiExceptionFilter } from '@onecommons/service-kit';
import { exportJWK, generateKeyPair, type CryptoKey, SignJWT } from 'jose';
import { type Principal } from '../access-token.js';
import { AccessTokenVerifier } from '../access-token-verifier.js';
import { type ApiKeyPrincipal, type ApiKeySource, generateApiKey } from '../api-key.js';
import { AuthModule } from './auth.module.js';
import { CurrentCaller, RequireAdminOrApiKey } from './decorators.js';

const ISSUER = 'https://identity.test';
const AUDIENCE = 'onecommons';
const ORGANIZATION = randomUUID();

@Controller('hooks')
class HooksController {
  @Get()
  @RequireAdminOrApiKey('webhooks:manage')
  who(@CurrentCaller() caller: Principal | ApiKeyPrincipal) {
    return caller.kind === 'api_key'
      ? { kind: caller.kind, organizationId: caller.organizationId }
      : { kind: caller.kind, subject: caller.subject };
  }
}

/** Keys known to this test, with their scopes (identity's introspection plays this part in services). */
class KnownKeys implements ApiKeySource {
  readonly keys = new Map<string, ApiKeyPrincipal>();

  add(scopes: ApiKeyPrincipal['scopes']): string {
    const key = generateApiKey();
    this.keys.set(key, {
      kind: 'api_key',
      keyId: randomUUID(),
      organizationId: ORGANIZATION,
      scopes,
      serviceId: null,
    });
    return key;
  }

  resolve(key: string): Promise<ApiKeyPrincipal | null> {
    return Promise.resolve(this.keys.get(key) ?? null);
  }
}

let app: INestApplication;
let url: string;
let privateKey: CryptoKey;
const apiKeys = new KnownKeys();

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
  const accessTokens = new AccessTokenVerifier(
    { kind: 'local', keys: () => Promise.resolve({ keys: [jwk] }) },
    { issuer: ISSUER, audience: AUDIENCE },
  );
  @Module({
    imports: [AuthModule.forRoot({ useFactory: () => ({ accessTokens, apiKeys }) })],
    controllers: [HooksController],
  })
  class TestModule {}
  app = await NestFactory.create(TestModule, { logger: false });
  app.useGlobalFilters(new ApiExceptionFilter());
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/hooks`;
});

afterAll(async () => {
  await app.close();
});

function token(roles: string[]): Promise<string> {
  return new SignJWT({ scope: '', roles, orgs: [] })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(randomUUID())
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

async function call(credential?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    headers: credential ? { authorization: `Bearer ${credential}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('@RequireAdminOrApiKey', () => {
  it('lets a platform admin in with an access token', async () => {
    expect(await call(await token(['admin']))).toMatchObject({ status: 200, body: { kind: 'account' } });
  });

  it('refuses an account without the admin role', async () => {
    expect(await call(await token([]))).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
  });

  it('lets an API key with the scope in, as its organization', async () => {
    expect(await call(apiKeys.add(['webhooks:manage']))).toEqual({
      status: 200,
      body: { kind: 'api_key', organizationId: ORGANIZATION },
    });
  });

  it('refuses an API key without the scope, an unknown key and no credentials', async () => {
    expect(await call(apiKeys.add(['metering:write']))).toMatchObject({
      status: 403,
      body: { error: { code: 'insufficient_scope' } },
    });
    expect(await call(generateApiKey())).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
    expect(await call()).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
  });
});
