import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { defineService, SERVICE_CONFIG } from '@onecommons/service-kit';
import { CatalogModule } from './catalog.module.js';
import { type CatalogConfig, catalogConfigSchema } from './config.js';
import { CATALOG_ERROR_CODES } from './catalog-errors.js';
import { Catalog1763900001000 } from './migrations/1763900001000-catalog.js';
import { ScheduledTerms1764600000000 } from './migrations/1764600000000-scheduled-terms.js';
import { MeterMeasures1764700000200 } from './migrations/1764700000200-meter-measures.js';

const catalogAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG],
  useFactory: (config: CatalogConfig) => remoteAuthSetup(config),
});

/** Catalog: apps, developer projects, dependencies, allocation contracts, service types, services and agreements. */
export const catalogService = defineService({
  service: 'catalog',
  configSchema: catalogConfigSchema,
  entities: [],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Catalog1763900001000,
    ScheduledTerms1764600000000,
    MeterMeasures1764700000200,
  ],
  features: () => [catalogAuth, CatalogModule],
  errorCodes: [...AUTH_ERROR_CODES, ...CATALOG_ERROR_CODES],
  projections: [
    { table: 'known_accounts', key: ['account_id'] },
    { table: 'known_organizations', key: ['organization_id'] },
  ],
});
