import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Identity's environment: the platform's common variables; its own are added here as it grows. */
export const identityConfigSchema = defineServiceConfig({});

export type IdentityConfig = z.output<typeof identityConfigSchema>;
