import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { type ServiceName } from '@onecommons/contracts';
import { type ServiceDataSourceSpec } from '@onecommons/persistence';
import { type z } from 'zod';
import { type ServiceCommand } from './commands/service-command.js';
import { type ServiceConfig } from './service-config.js';
import { ServiceKitModule, type ServiceKitOptions } from './service-kit.module.js';

/** Everything the platform needs to know to run, migrate or replay one service, and its own commands. */
export interface ServiceDefinition<Config extends ServiceConfig = ServiceConfig> {
  readonly service: ServiceName;
  readonly configSchema: z.ZodType<Config>;
  readonly entities: NonNullable<ServiceDataSourceSpec['entities']>;
  /** In order; the backbone's (`BACKBONE_MIGRATIONS`) first. */
  readonly migrations: NonNullable<ServiceDataSourceSpec['migrations']>;
  /** The service's feature modules, given its validated config. */
  readonly features: (config: Config) => ReadonlyArray<Type | DynamicModule>;
  /** Tables rebuilt from events by `replay`, compared by `replay --verify`. */
  readonly projections: readonly ProjectionTable[];
  /**
   * Every error code the service and the libraries it uses may answer beyond the shared ones
   * (`SHARED_ERROR_CODES`): its OpenAPI document lists them.
   */
  readonly errorCodes: readonly string[];
  /** The service's own commands, beside every service's `serve`, `migrate` and `replay`. */
  readonly commands?: readonly ServiceCommand[];
}

export interface ProjectionTable {
  readonly table: string;
  /** Columns that identify a row, for a stable order. */
  readonly key: readonly string[];
  /** Columns that differ between runs by nature (e.g. the time a row was written); left out of digests. */
  readonly volatileColumns?: readonly string[];
}

export function defineService<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
): ServiceDefinition<Config> {
  return definition;
}

@Module({})
class ServiceRootModule {}

export function rootModuleOf<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  config: Config,
  overrides: Pick<
    ServiceKitOptions,
    'mode' | 'schema' | 'databaseUrl' | 'poolSize' | 'asynchronousCommit'
  > = {},
): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      ServiceKitModule.forRoot({
        service: definition.service,
        config,
        entities: definition.entities,
        migrations: definition.migrations,
        ...overrides,
      }),
      ...definition.features(config),
    ],
  };
}
