import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { payoutsConfigSchema } from './config.js';

/** Payouts: payable balances, thresholds, holds, payout batches and payment rails. */
export const payoutsService = defineService({
  service: 'payouts',
  configSchema: payoutsConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000],
  features: () => [],
  projections: [],
});
