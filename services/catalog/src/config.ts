import { authConfigShape } from '@onecommons/auth';
import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';

/** Catalog's environment: the platform's common variables and how to check access tokens. */
export const catalogConfigSchema = defineServiceConfig({ ...authConfigShape });

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
