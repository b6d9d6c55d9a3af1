import pg from 'pg';
import { DataSource, type MixedList } from 'typeorm';
import { serviceDataSourceOptions } from './data-source-options.js';
import { ensureDatabase, prepareServiceSchema } from './schema-setup.js';

export interface MigrationRun {
  readonly adminUrl: string;
  readonly runtimeUrl: string;
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own migration list type
  readonly migrations: MixedList<Function | string>;
}

/**
 * Brings a service's schema up to date: database, role, schema, then pending migrations, each in its own
 * transaction. An advisory lock makes concurrent runs (two replicas booting) take turns. Idempotent.
 */
export async function migrateServiceSchema(run: MigrationRun): Promise<string[]> {
  await ensureDatabase(run.adminUrl);
  const admin = new pg.Client({ connectionString: run.adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [`onecommons:migrate:${run.schema}`]);
    await prepareServiceSchema(admin, run.schema, run.runtimeUrl);
    const dataSource = new DataSource(
      serviceDataSourceOptions({
        url: run.adminUrl,
        schema: run.schema,
        migrations: run.migrations,
        poolSize: 1,
        applicationName: `migrate:${run.schema}`,
      }),
    );
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await admin.end(); // ends the session, releasing the advisory lock
  }
}
