import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@onecommons/config';
import { migrateServiceSchema } from '@onecommons/persistence';
import { createServiceApp, type ServiceConfig, type ServiceDefinition } from '@onecommons/service-kit';
import { startProcessTelemetry } from '@onecommons/telemetry';
import pg from 'pg';
import { schemaQuery } from './schema-query.js';
import { type z } from 'zod';
import { serviceOf, testStack, uniqueSuffix } from './test-stack.js';

/**
 * The platform-internal credential of every service this test process starts: services started together call
 * each other with it, as in production.
 */
export const TEST_INTERNAL_API_TOKEN = `test-internal-${randomBytes(24).toString('base64url')}`;

export interface RunningService<Config extends ServiceConfig = ServiceConfig> {
  readonly app: NestExpressApplication;
  /** The validated config it runs with (e.g. to run `replayService` against it). */
  readonly config: Config;
  /** Base URL of its HTTP server, on a free port. */
  readonly url: string;
  readonly schema: string;
  readonly consumerGroup: string;
  /** The environment it was configured from (`envFileOf` writes it for the service's own commands). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs SQL as the admin role with the service's schema first on the search path. */
  query<Row extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<Row[]>;
  /** Closes the app (drains consumer and relay) and drops its schema. */
  stop(options?: { keepSchema?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Extra or overriding environment variables for the service's config. */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a schema (e.g. to restart "the same" service after a simulated crash). */
  readonly schema?: string;
  readonly consumerGroup?: string;
}

/** A fresh, migrated schema for one service under test and the environment it runs with. */
export async function prepareService(
  definition: ServiceDefinition<ServiceConfig>,
  options: StartOptions = {},
): Promise<{ schema: string; consumerGroup: string; env: Record<string, string> }> {
  const stack = testStack();
  const suffix = uniqueSuffix();
  const schema = options.schema ?? `t_${definition.service}_${suffix}`;
  const consumerGroup = options.consumerGroup ?? `t-${definition.service}-${suffix}`;
  const runtimeUrl = serviceOf(stack, definition.service).databaseUrl;
  await migrateServiceSchema({
    adminUrl: stack.postgresAdminUrl,
    runtimeUrl,
    schema,
    migrations: definition.migrations,
  });
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'error',
    HTTP_PORT: '1',
    DATABASE_URL: runtimeUrl,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers,
    KAFKA_CONSUMER_GROUP: consumerGroup,
    KAFKA_TOPIC_PARTITIONS: '3',
    // The relay is woken by each new row's notification; this poll is its fallback, and a standby relay tries
    // for the leader lock every five polls. At 100 ms an idle service's relay cost ~16 ms of CPU a second.
    OUTBOX_POLL_INTERVAL_MS: '1000',
    IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL: 'http://onecommons.test',
    // Nothing listens here: identity's mail stays queued unless a test points it at an inbox of its own.
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_FROM: 'OneCommons <no-reply@onecommons.test>',
    PROVISIONER_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    // A service under test that authenticates callers gets identity's real URLs from its test (identity
    // runs in the same process); for the others nothing listens here and nothing calls it.
    AUTH_JWKS_URL: 'http://127.0.0.1:9/no-identity-in-this-test/jwks.json',
    AUTH_API_KEY_INTROSPECTION_URL: 'http://127.0.0.1:9/no-identity-in-this-test/introspect',
    AUTH_ACCESS_URL: 'http://127.0.0.1:9/no-identity-in-this-test/access',
    INTERNAL_API_TOKEN: TEST_INTERNAL_API_TOKEN,
    CONSUMER_RETRY_BACKOFF_MS: '20',
    CONSUMER_RETRY_BACKOFF_MAX_MS: '200',
    // A stopping consumer waits for its fetch, which quiet topics hold this long: 5 s by default, at every
    // service's stop. New messages end a fetch at once. (An idle service's CPU: the same at 1 s as at 5 s, +20%
    // at 0.5 s.)
    KAFKA_FETCH_MAX_WAIT_MS: '1000',
    ...options.env,
  };
  return { schema, consumerGroup, env };
}

/**
 * Boots a real service in this process against the test stack: its own fresh schema (migrated like
 * production), its own consumer group, a free HTTP port. Nothing is mocked.
 */
export async function startService<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  options: StartOptions = {},
): Promise<RunningService<Config>> {
  startProcessTelemetry({ serviceName: 'integration-tests' }); // trace context as in production, no exporter
  const stack = testStack();
  const { schema, consumerGroup, env } = await prepareService(
    definition as unknown as ServiceDefinition<ServiceConfig>,
    options,
  );
  const config = loadConfig(definition.configSchema as unknown as z.ZodObject, env) as Config;
  const app = await createServiceApp(definition, config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
  let stopped = false;
  return {
    app,
    config,
    url: `http://127.0.0.1:${address.port}`,
    schema,
    consumerGroup,
    env,
    query: schemaQuery(admin, schema),
    async stop({ keepSchema = false } = {}) {
      if (stopped) return;
      stopped = true;
      await app.close();
      if (!keepSchema) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    },
  };
}

/**
 * Writes a service's environment to `file` (a fresh temporary one by default), as `node --env-file` and the
 * `commons` CLI's `--env-file`/`--env-dir` read it: for the service's own one-shot commands against its test schema.
 */
export function envFileOf(
  service: { readonly schema: string; readonly env: Readonly<Record<string, string>> },
  file = path.join(tmpdir(), `${service.schema}.env`),
): string {
  writeFileSync(
    file,
    Object.entries(service.env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  return file;
}
