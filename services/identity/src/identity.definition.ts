import { AccessTokenVerifier, AUTH_ERROR_CODES, AuthModule } from '@onecommons/auth';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { defineService, RateLimitModule, SERVICE_CONFIG } from '@onecommons/service-kit';
import { AccountLifecycleModule } from './account-lifecycle/account-lifecycle.module.js';
import { Account } from './accounts/account.entity.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { BillingCustomer } from './billing/billing-customer.entity.js';
import { BillingModule } from './billing/billing.module.js';
import { Payment } from './billing/payment.entity.js';
import { Subscription } from './billing/subscription.entity.js';
import { type IdentityConfig, identityConfigSchema } from './config.js';
import { IDENTITY_ERROR_CODES } from './identity-errors.js';
import { ApiKeyStore } from './directory/api-key-store.js';
import { DirectoryModule } from './directory/directory.module.js';
import { MembershipDirectory } from './directory/membership-directory.js';
import { Accounts1763900001000 } from './migrations/1763900001000-accounts.js';
import { Sessions1763900002000 } from './migrations/1763900002000-sessions.js';
import { Organizations1763900003000 } from './migrations/1763900003000-organizations.js';
import { Billing1763900004000 } from './migrations/1763900004000-billing.js';
import { TrustBoundaries1763900005000 } from './migrations/1763900005000-trust-boundaries.js';
import { PaymentReversals1765200000000 } from './migrations/1765200000000-payment-reversals.js';
import { AccountLifecycle1766000000000 } from './migrations/1766000000000-account-lifecycle.js';
import { OpenIdProvider1766100000000 } from './migrations/1766100000000-openid-provider.js';
import { OidcModule } from './oidc/oidc.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { identityRateLimits } from './rate-limits/identity-rate-limits.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SigningKeyStore } from './sessions/signing-key-store.js';

/**
 * Identity verifies its own tokens against its key store, API keys and roles against its own tables;
 * other services fetch the JWKS and ask identity about API keys (and, where money moves, live roles) with
 * the platform-internal credential.
 */
const identityAuth = AuthModule.forRoot({
  imports: [SessionsModule, DirectoryModule],
  inject: [SigningKeyStore, MembershipDirectory, ApiKeyStore, SERVICE_CONFIG],
  useFactory: (
    keys: SigningKeyStore,
    directory: MembershipDirectory,
    apiKeys: ApiKeyStore,
    config: IdentityConfig,
  ) => ({
    accessTokens: new AccessTokenVerifier(
      { kind: 'local', keys: () => keys.publishedKeys() },
      { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    ),
    apiKeys,
    directory,
    internalToken: config.INTERNAL_API_TOKEN,
  }),
});

/** Identity: accounts, organizations, roles, tokens, API keys, plans, subscriptions and payments. */
export const identityService = defineService({
  service: 'identity',
  configSchema: identityConfigSchema,
  entities: [Account, Subscription, Payment, BillingCustomer],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Accounts1763900001000,
    Sessions1763900002000,
    Organizations1763900003000,
    Billing1763900004000,
    TrustBoundaries1763900005000,
    PaymentReversals1765200000000,
    AccountLifecycle1766000000000,
    OpenIdProvider1766100000000,
  ],
  features: (config) => [
    RateLimitModule.forRoot(identityRateLimits(config)),
    SessionsModule,
    identityAuth,
    AccountsModule,
    OrganizationsModule,
    BillingModule,
    AccountLifecycleModule,
    OidcModule,
  ],
  errorCodes: [...AUTH_ERROR_CODES, ...IDENTITY_ERROR_CODES],
  projections: [{ table: 'catalog_services', key: ['service_id'] }],
});
