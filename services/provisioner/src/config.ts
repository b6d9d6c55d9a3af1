import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Provisioner's environment: the platform's common variables; its own are added here as it grows. */
export const provisionerConfigSchema = defineServiceConfig({});

export type ProvisionerConfig = z.output<typeof provisionerConfigSchema>;
