import { BackboneTables1763900000000 } from '@onecommons/kafka';
import { defineService } from '@onecommons/service-kit';
import { ledgerConfigSchema } from './config.js';

/** Ledger: the append-only double-entry ledger, the CommonCents treasury and period close. */
export const ledgerService = defineService({
  service: 'ledger',
  configSchema: ledgerConfigSchema,
  entities: [],
  migrations: [BackboneTables1763900000000],
  features: () => [],
  projections: [],
});
