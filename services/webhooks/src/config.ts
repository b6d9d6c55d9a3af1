import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Webhooks's environment: the platform's common variables; its own are added here as it grows. */
export const webhooksConfigSchema = defineServiceConfig({});

export type WebhooksConfig = z.output<typeof webhooksConfigSchema>;
