import { type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { SnakeNamingStrategy } from './naming-strategy.js';

export interface ServiceDataSourceSpec {
  readonly url: string;
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity list type
  readonly entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own migration list type
  readonly migrations?: MixedList<Function | string>;
  readonly poolSize?: number;
  readonly applicationName: string;
  /** Session settings of every connection, e.g. `synchronous_commit: 'off'` for a replay's throwaway schema. */
  readonly sessionSettings?: Readonly<Record<string, string>>;
}

/**
 * TypeORM options for one service's schema. The search_path pins unqualified SQL (migrations, raw
 * queries of shared libraries) to the service's own schema. Never `synchronize`: migrations only.
 */
export function serviceDataSourceOptions(spec: ServiceDataSourceSpec): DataSourceOptions {
  return {
    type: 'postgres',
    url: spec.url,
    schema: spec.schema,
    entities: spec.entities ?? [],
    migrations: spec.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: false, // failures reach the caller, which logs them with context (a unique violation may be expected)
    extra: {
      max: spec.poolSize ?? 10,
      options: [`-c search_path=${spec.schema}`]
        .concat(Object.entries(spec.sessionSettings ?? {}).map(([name, value]) => `-c ${name}=${value}`))
        .join(' '),
      application_name: spec.applicationName,
      connectionTimeoutMillis: 5000,
    },
  };
}
