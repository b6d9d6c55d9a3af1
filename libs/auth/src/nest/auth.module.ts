import { DiscoveryModule } from '@nestjs/core';
import { type DynamicModule, type InjectionToken, Module, type ModuleMetadata } from '@nestjs/common';
import { AccessTokenVerifier } from '../access-token-verifier.js';
import { InternalCredential } from '../internal-credential.js';
import { RemoteApiKeySource } from '../remote-api-key-source.js';
import { type ApiKeySource } from '../api-key.js';
import { ApiKeyRevocationEpoch, type RevocationEpochStore } from '../api-key-revocations.js';
import { CachedApiKeySource } from '../cached-api-key-source.js';
import { AccessPolicyAudit } from './access-policy-audit.js';
import { AccessPolicyGuard } from './access-policy.guard.js';
import { type AccessDirectory, accessFromClaims } from './access-directory.js';
import { RemoteAccessDirectory } from './remote-access-directory.js';
import { ACCESS_TOKEN_VERIFIER, API_KEY_SOURCE, ACCESS_DIRECTORY, INTERNAL_CREDENTIAL } from './tokens.js';

/** How a service authenticates: always access tokens; API keys and fresher membership data if it has them. */
export interface AuthSetup {
  readonly accessTokens: AccessTokenVerifier;
  readonly apiKeys?: ApiKeySource;
  /** Defaults to the memberships carried by the access token. */
  readonly directory?: AccessDirectory;
  /** The platform-internal credential `@InternalOnly()` endpoints check (`INTERNAL_API_TOKEN`). */
  readonly internalToken?: string;
}

export interface AuthModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: InjectionToken[];
  readonly useFactory: (...dependencies: never[]) => AuthSetup;
}

const AUTH_SETUP = Symbol('onecommons:auth-setup');

/** Provides the access policy guard and what it needs to a service (global: every controller can use it). */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: AUTH_SETUP, inject: options.inject ?? [], useFactory: options.useFactory },
        {
          provide: ACCESS_TOKEN_VERIFIER,
          inject: [AUTH_SETUP],
          useFactory: (setup: AuthSetup) => setup.accessTokens,
        },
        {
          provide: API_KEY_SOURCE,
          inject: [AUTH_SETUP],
          useFactory: (setup: AuthSetup) => setup.apiKeys ?? null,
        },
        {
          provide: ACCESS_DIRECTORY,
          inject: [AUTH_SETUP],
          useFactory: (setup: AuthSetup) => setup.directory ?? accessFromClaims,
        },
        {
          provide: INTERNAL_CREDENTIAL,
          inject: [AUTH_SETUP],
          useFactory: (setup: AuthSetup) =>
            setup.internalToken === undefined ? null : new InternalCredential(setup.internalToken),
        },
        AccessPolicyGuard,
        AccessPolicyAudit,
      ],
      exports: [
        ACCESS_TOKEN_VERIFIER,
        API_KEY_SOURCE,
        ACCESS_DIRECTORY,
        INTERNAL_CREDENTIAL,
        AccessPolicyGuard,
      ],
    };
  }
}

/** What `remoteAuthSetup` reads from a service's validated config (see authConfigShape, apiKeyConfigShape). */
export interface RemoteAuthConfig {
  readonly AUTH_ISSUER: string;
  readonly AUTH_AUDIENCE: string;
  readonly AUTH_JWKS_URL: string;
  readonly AUTH_API_KEY_INTROSPECTION_URL?: string;
  /** Set (see liveAccessConfigShape): memberships and platform roles are asked of identity per request. */
  readonly AUTH_ACCESS_URL?: string;
  readonly INTERNAL_API_TOKEN: string;
  /** Set (see apiKeyCacheConfigShape) and above 0: live keys' answers are cached, voided by any revocation. */
  readonly AUTH_API_KEY_CACHE_SECONDS?: number;
}

/**
 * How every service but identity authenticates: identity's JWKS (cached), API keys by introspection, and
 * (where money moves) live memberships and roles from identity; each call to identity carries the
 * platform-internal credential.
 */
export function remoteAuthSetup(config: RemoteAuthConfig, redis?: RevocationEpochStore): AuthSetup {
  return {
    accessTokens: new AccessTokenVerifier(
      { kind: 'remote', jwksUrl: config.AUTH_JWKS_URL },
      { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    ),
    internalToken: config.INTERNAL_API_TOKEN,
    ...(config.AUTH_API_KEY_INTROSPECTION_URL
      ? { apiKeys: apiKeySource(config.AUTH_API_KEY_INTROSPECTION_URL, config, redis) }
      : {}),
    ...(config.AUTH_ACCESS_URL
      ? { directory: new RemoteAccessDirectory(config.AUTH_ACCESS_URL, config.INTERNAL_API_TOKEN) }
      : {}),
  };
}

function apiKeySource(
  introspectionUrl: string,
  config: RemoteAuthConfig,
  redis: RevocationEpochStore | undefined,
): ApiKeySource {
  const identity = new RemoteApiKeySource(introspectionUrl, config.INTERNAL_API_TOKEN);
  const ttlSeconds = config.AUTH_API_KEY_CACHE_SECONDS ?? 0;
  if (ttlSeconds === 0) return identity;
  if (!redis) throw new Error('AUTH_API_KEY_CACHE_SECONDS needs Redis (the revocation epoch)');
  return new CachedApiKeySource(identity, new ApiKeyRevocationEpoch(redis), { ttlMs: ttlSeconds * 1_000 });
}
