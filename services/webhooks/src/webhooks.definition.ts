import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { webhooksConfigSchema } from './config.js';

/** Webhooks: partner endpoints and signed webhook delivery. */
export const webhooksService = defineService({
  service: 'webhooks',
  configSchema: webhooksConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000],
  features: () => [],
  projections: [],
});
