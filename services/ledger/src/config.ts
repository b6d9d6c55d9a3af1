import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Ledger's environment: the platform's common variables; its own are added here as it grows. */
export const ledgerConfigSchema = defineServiceConfig({});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
