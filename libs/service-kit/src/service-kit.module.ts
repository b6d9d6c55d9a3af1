import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type ServiceName } from '@onecommons/contracts';
import { BackboneModule, kafkaSettingsFrom } from '@onecommons/kafka';
import {
  serviceDataSourceOptions,
  sessionDatabaseUrlOf,
  type ServiceDataSourceSpec,
} from '@onecommons/persistence';
import { LoggerModule } from 'nestjs-pino';
import { DependencyHealth } from './health/dependency-health.js';
import { HealthController } from './health/health.controller.js';
import { ShutdownState } from './health/shutdown-state.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { ZodValidationPipe } from './http/zod-validation.pipe.js';
import { bullmqPrefixOf } from './jobs/bullmq-prefix.js';
import { JobSchedules } from './jobs/job-schedules.js';
import { ServiceLeader } from './leadership/service-leader.js';
import { loggerParams } from './logging/logger-params.js';
import {
  MAINTENANCE_QUEUE,
  OutboxMaintenanceScheduler,
  OutboxMaintenanceWorker,
} from './maintenance/outbox-maintenance.js';
import {
  PROCESSED_EVENTS_QUEUE,
  ProcessedEventsMaintenanceScheduler,
  ProcessedEventsMaintenanceWorker,
} from './maintenance/processed-events-maintenance.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { PrincipalRateLimitInterceptor } from './rate-limit/principal-rate-limit.interceptor.js';
import { RedisConnection } from './redis-connection.js';
import { RunMode, type RunModeName } from './run-mode.js';
import { type ServiceConfig } from './service-config.js';
import { REDIS_CLIENT, REDIS_KEY_PREFIX, SERVICE_CONFIG } from './tokens.js';

export interface ServiceKitOptions {
  readonly service: ServiceName;
  readonly config: ServiceConfig;
  readonly entities: NonNullable<ServiceDataSourceSpec['entities']>;
  readonly migrations: NonNullable<ServiceDataSourceSpec['migrations']>;
  /** Only `serve` runs a relay, consumers, job workers and recurring work (run-mode.ts). */
  readonly mode?: RunModeName;
  /** Overrides the schema (a replay writes into a fresh one). */
  readonly schema?: string;
  /** Overrides the database URL (a replay connects as the schema owner). */
  readonly databaseUrl?: string;
  /** Overrides DATABASE_POOL_SIZE (a replay holds a connection per partition it applies at once). */
  readonly poolSize?: number;
  /**
   * `synchronous_commit = off` on every connection: for a rebuild into a schema that is thrown away unless it
   * completes, and made durable at its end. Never for a schema whose commits others rely on.
   */
  readonly asynchronousCommit?: boolean;
}

/**
 * What every service has: config, JSON logs, its Postgres schema, the event backbone, Redis and BullMQ,
 * health and metrics endpoints, and one error format. A service's root module imports this first.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const { config, service } = options;
    const schema = options.schema ?? config.DATABASE_SCHEMA ?? service;
    const databaseUrl = options.databaseUrl ?? config.DATABASE_URL;
    const sessionDatabaseUrl = options.databaseUrl ?? sessionDatabaseUrlOf(config);
    const runMode = new RunMode(options.mode ?? 'serve');
    const serving = runMode.serves;
    const workers: Provider[] = serving ? [OutboxMaintenanceWorker, ProcessedEventsMaintenanceWorker] : [];
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(service, config.LOG_LEVEL, serving ? 'stdout' : 'stderr')),
        TypeOrmModule.forRoot(
          serviceDataSourceOptions({
            url: databaseUrl,
            schema,
            entities: options.entities,
            migrations: options.migrations,
            poolSize: options.poolSize ?? config.DATABASE_POOL_SIZE,
            applicationName: service,
            ...(options.asynchronousCommit ? { sessionSettings: { synchronous_commit: 'off' } } : {}),
          }),
        ),
        BackboneModule.forRoot({
          service,
          consumerGroup: config.KAFKA_CONSUMER_GROUP ?? service,
          sessionDatabaseUrl,
          schema,
          lockDeadPeerSeconds: config.DATABASE_LOCK_DEAD_PEER_SECONDS,
          settings: kafkaSettingsFrom(config),
          runRelay: serving,
        }),
        TerminusModule,
        BullModule.forRoot({
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          prefix: bullmqPrefixOf(config.BULLMQ_PREFIX, schema), // replicas of one service share queues, tests do not
        }),
        BullModule.registerQueue({ name: MAINTENANCE_QUEUE }, { name: PROCESSED_EVENTS_QUEUE }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: RunMode, useValue: runMode },
        RedisConnection,
        {
          provide: REDIS_CLIENT,
          inject: [RedisConnection],
          useFactory: (redis: RedisConnection) => redis.client,
        },
        DependencyHealth,
        ShutdownState,
        {
          provide: ServiceLeader,
          useFactory: () =>
            new ServiceLeader(
              serving
                ? {
                    sessionDatabaseUrl,
                    schema,
                    retryMs: config.LEADER_LEASE_RETRY_MS,
                    deadPeerSeconds: config.DATABASE_LOCK_DEAD_PEER_SECONDS,
                  }
                : undefined,
            ),
        },
        JobSchedules,
        OutboxMaintenanceScheduler,
        ProcessedEventsMaintenanceScheduler,
        ...workers,
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useValue: new ZodValidationPipe() }, // validates every `@Body({ schema })` etc.
        { provide: APP_INTERCEPTOR, useClass: PrincipalRateLimitInterceptor }, // per account / API key
        { provide: REDIS_KEY_PREFIX, useValue: `oc:${schema}` },
      ],
      exports: [
        SERVICE_CONFIG,
        RunMode,
        REDIS_CLIENT,
        REDIS_KEY_PREFIX,
        ShutdownState,
        ServiceLeader,
        JobSchedules,
        OutboxMaintenanceScheduler,
        ProcessedEventsMaintenanceScheduler,
      ],
    };
  }
}
