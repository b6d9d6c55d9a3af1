import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Metering's environment: the platform's common variables; its own are added here as it grows. */
export const meteringConfigSchema = defineServiceConfig({});

export type MeteringConfig = z.output<typeof meteringConfigSchema>;
