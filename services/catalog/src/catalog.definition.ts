import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { catalogConfigSchema } from './config.js';

/** Catalog: apps, developer projects, dependencies, allocation contracts, service types, services and agreements. */
export const catalogService = defineService({
  service: 'catalog',
  configSchema: catalogConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000],
  features: () => [],
  projections: [],
});
