import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Payouts's environment: the platform's common variables; its own are added here as it grows. */
export const payoutsConfigSchema = defineServiceConfig({});

export type PayoutsConfig = z.output<typeof payoutsConfigSchema>;
