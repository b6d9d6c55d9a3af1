import { AccessTokenVerifier, AuthModule } from '@onecommons/auth';
import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService, SERVICE_CONFIG } from '@onecommons/service-kit';
import { Account } from './accounts/account.entity.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { type IdentityConfig, identityConfigSchema } from './config.js';
import { Accounts1763900001000 } from './migrations/1763900001000-accounts.js';
import { Sessions1763900002000 } from './migrations/1763900002000-sessions.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SigningKeyStore } from './sessions/signing-key-store.js';

/** Identity verifies its own tokens against its key store directly; other services fetch the JWKS. */
const identityAuth = AuthModule.forRoot({
  imports: [SessionsModule],
  inject: [SigningKeyStore, SERVICE_CONFIG],
  useFactory: (keys: SigningKeyStore, config: IdentityConfig) =>
    new AccessTokenVerifier(
      { kind: 'local', keys: () => keys.publishedKeys() },
      { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    ),
});

/** Identity: accounts, organizations, roles, tokens, API keys, plans, subscriptions and payments. */
export const identityService = defineService({
  service: 'identity',
  configSchema: identityConfigSchema,
  entities: [Account],
  migrations: [BackboneTables1763900000000, Accounts1763900001000, Sessions1763900002000],
  features: () => [SessionsModule, identityAuth, AccountsModule],
  projections: [],
});
