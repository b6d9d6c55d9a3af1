import { existsSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import { migrationConfigShape } from '@onecommons/persistence';
import { z } from 'zod';
import {
  type ConfigReference,
  configReference,
  type ConfigVariable,
  configVariables,
} from './config-variables.js';
import { configSourceOf } from './configuration-page.js';

/**
 * The configuration reference of every service, from the config schemas themselves (`<service>ConfigSchema` of
 * `services/<service>/src/config.ts`) and what `migrate` reads. A tool may not import a service (module
 * boundaries), so each schema is imported at run time: from the service's build when the CLI runs built, from its
 * source when this module runs as TypeScript (under Jest).
 */
export async function loadConfigReference(root: string): Promise<ConfigReference> {
  const services = new Map<ServiceName, ConfigVariable[]>();
  for (const service of SERVICE_NAMES)
    services.set(service, configVariables(await importConfigSchema(root, service)));
  return configReference(services, configVariables(z.object(migrationConfigShape)));
}

async function importConfigSchema(root: string, service: ServiceName): Promise<z.ZodType> {
  const file = import.meta.filename.endsWith('.ts')
    ? path.join(root, configSourceOf(service))
    : path.join(root, 'services', service, 'dist', 'src', 'config.js');
  if (!existsSync(file))
    throw new Error(
      `${path.relative(root, file)} does not exist: build the services first (tsc -b tsconfig.build.json)`,
    );
  const module = (await import(file)) as Readonly<Record<string, unknown>>;
  const schema = module[`${service}ConfigSchema`];
  if (!(schema instanceof z.ZodType))
    throw new Error(`${path.relative(root, file)} exports no ${service}ConfigSchema`);
  return schema;
}
