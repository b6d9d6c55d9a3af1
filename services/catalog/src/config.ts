import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Catalog's environment: the platform's common variables; its own are added here as it grows. */
export const catalogConfigSchema = defineServiceConfig({});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
