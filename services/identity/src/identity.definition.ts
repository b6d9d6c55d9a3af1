import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { Account } from './accounts/account.entity.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { identityConfigSchema } from './config.js';
import { Accounts1763900001000 } from './migrations/1763900001000-accounts.js';

/** Identity: accounts, organizations, roles, tokens, API keys, plans, subscriptions and payments. */
export const identityService = defineService({
  service: 'identity',
  configSchema: identityConfigSchema,
  entities: [Account],
  migrations: [BackboneTables1763900000000, Accounts1763900001000],
  features: () => [AccountsModule],
  projections: [],
});
