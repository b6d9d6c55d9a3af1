import { integerVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';

/** Ledger's environment: the platform's common variables and the treasury's settings. */
export const ledgerConfigSchema = defineServiceConfig({
  /**
   * The treasury's one currency (ISO 4217). A payment in another currency is held on a suspense account
   * and mints nothing: the ledger does no FX.
   */
  LEDGER_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' })
    .default('EUR'),
  /** Share of each payment (bps) that stays in the reserve without minting, so held tokens gain value. */
  LEDGER_RESERVE_BPS: integerVar({ min: 0, max: 10_000, default: 0 }),
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
