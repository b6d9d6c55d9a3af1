import { type Server } from 'node:http';
import { type INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig } from '@onecommons/config';
import { EventConsumerServer } from '@onecommons/kafka';
import { migrateServiceSchema, migrationConfigShape } from '@onecommons/persistence';
import { shutdownProcessTelemetry } from '@onecommons/telemetry';
import express, {
  type Express,
  type Request as ExpressRequest,
  type Response as ExpressResponse,
} from 'express';
import { Logger } from 'nestjs-pino';
import { z } from 'zod';
import { ShutdownState } from './health/shutdown-state.js';
import { traceHttpRequest } from './http/request-tracing.js';
import { recordHttpMetrics } from './metrics/http-metrics.js';
import { serveApiDocs } from './openapi/service-api-docs.js';
import { collectProcessMetrics } from './metrics/process-metrics.js';
import { type ServiceConfig } from './service-config.js';
import { rootModuleOf, type ServiceDefinition } from './service-definition.js';

/** Loads a config or stops the process with a message naming every bad variable. */
export function loadConfigOrExit<Config>(service: string, schema: z.ZodType<Config>): Config {
  try {
    return loadConfig(schema as unknown as z.ZodObject, process.env) as Config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * The Express app under Nest. Routes are case-sensitive and strict (`/V1/` and a trailing slash are 404s):
 * every spelling of a path but one is refused at the service too, not only at the gateway. Express reads
 * these settings when it creates its router, which Nest's adapter does at once, so they are set first.
 */
export function strictExpressApp(): Express {
  const app = express();
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  return app;
}

/**
 * Last in line: a path outside the service's prefix (routes being case-sensitive, `/api/Identity/…` is one)
 * is a 404 in the platform's error shape too, not Express's HTML page.
 */
function answerNotFound(request: ExpressRequest & { id?: unknown }, response: ExpressResponse): void {
  const requestId = typeof request.id === 'string' ? request.id : undefined;
  response.status(404).json({
    error: { code: 'not_found', message: 'No API at this path.', requestId },
  });
}

/** Builds the HTTP + Kafka hybrid app of a service, ready to listen. Used by `serve` and by tests. */
export async function createServiceApp<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  config: Config,
): Promise<NestExpressApplication> {
  collectProcessMetrics(definition.service);
  const expressApp = strictExpressApp();
  const app = await NestFactory.create<NestExpressApplication>(
    rootModuleOf(definition, config),
    new ExpressAdapter(expressApp),
    {
      bufferLogs: true,
      bodyParser: false,
      rawBody: true, // `req.rawBody` for signed webhooks (a signature covers the exact bytes, not re-serialised JSON)
    },
  );
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', config.HTTP_TRUSTED_PROXIES); // the gateway's X-Forwarded-For, and only its
  app.use(traceHttpRequest);
  app.use(recordHttpMetrics);
  app.useBodyParser('json', {
    limit: config.HTTP_BODY_LIMIT_BYTES,
    type: ['application/json', 'application/*+json'],
  });
  app.setGlobalPrefix(`api/${definition.service}`, { exclude: ['health/live', 'health/ready', 'metrics'] });
  serveApiDocs(app, definition.service, definition.errorCodes);
  app.connectMicroservice({ strategy: app.get(EventConsumerServer) }, { inheritAppConfig: true });
  await app.init();
  keepIdleConnectionsLongerThanClients(app.getHttpServer() as Server);
  expressApp.use(answerNotFound);
  await app.startAllMicroservices();
  return app;
}

/** Longer than the gateway keeps an idle upstream connection (nginx: 60 s) and than HTTP clients do (undici: 4 s). */
const IDLE_CONNECTION_MS = 65_000;

/**
 * The client closes an idle keep-alive connection, never the service. With Node's default of 5 s the service
 * could close one at the instant a client sent a request on it: a reset (a 502 at the gateway for a request
 * nginx does not retry, `ECONNRESET` for a test on a loaded machine).
 */
function keepIdleConnectionsLongerThanClients(server: Server): void {
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  server.headersTimeout = IDLE_CONNECTION_MS + 1_000; // must exceed keepAliveTimeout
}

/** Runs a service until SIGTERM/SIGINT, then drains: readiness 503, consumers, relay, HTTP, pools. */
export async function serve<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
): Promise<void> {
  const config = loadConfigOrExit(definition.service, definition.configSchema);
  const app = await createServiceApp(definition, config);
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const logger = new NestLogger(definition.service);
  logger.log(`ready on http://${config.HTTP_HOST}:${config.HTTP_PORT}`);
  stopOnSignal(app, config.SHUTDOWN_TIMEOUT_MS, logger);
}

function stopOnSignal(app: INestApplication, timeoutMs: number, logger: NestLogger): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    app.get(ShutdownState).markDraining();
    setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    try {
      await app.close();
      await shutdownProcessTelemetry();
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

/** Creates or updates the service's schema, role and tables; prints what it applied. */
export async function migrate<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
): Promise<void> {
  const config = loadConfigOrExit(definition.service, z.object(migrationConfigShape));
  const schema = config.DATABASE_SCHEMA ?? definition.service;
  const applied = await migrateServiceSchema({
    adminUrl: config.MIGRATIONS_DATABASE_URL,
    runtimeUrl: config.DATABASE_URL,
    schema,
    migrations: definition.migrations,
  });
  process.stdout.write(
    `${JSON.stringify({ service: definition.service, schema, applied, upToDate: applied.length === 0 })}\n`,
  );
}
