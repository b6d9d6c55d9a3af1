import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { provisionerConfigSchema } from './config.js';

/** Provisioner: cloud providers, deployments of services onto them and the reconcile loop. */
export const provisionerService = defineService({
  service: 'provisioner',
  configSchema: provisionerConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000],
  features: () => [],
  projections: [],
});
