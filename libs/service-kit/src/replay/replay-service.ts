import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { eventCatalogue, type ServiceName, topicsOwnedBy } from '@onecommons/contracts';
import {
  BatchedEventProcessor,
  committedPositions,
  EventHandlerRegistry,
  IdempotentEventProcessor,
  type IdempotentEventProcessorDeps,
  KAFKA_CLIENT,
  kafkaSettingsFrom,
  positionsOfSnapshot,
  rangesUpTo,
  replayRanges,
  type DeadLetter,
  type ReplayProgress,
  type ReplayStart,
} from '@onecommons/kafka';
import { digestSchema, migrateServiceSchema, type SchemaDigest } from '@onecommons/persistence';
import { type Kafka } from 'kafkajs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { type ServiceConfig } from '../service-config.js';
import { rootModuleOf, type ServiceDefinition } from '../service-definition.js';
import { dropSecondaryIndexes, rebuildIndexes } from './deferred-indexes.js';
import { atLivePositions } from './live-snapshot.js';
import { PhasedReplay } from './phased-replay.js';
import { switchTables } from './unlogged-load.js';

export interface ReplayOptions {
  readonly from: ReplayStart;
  /** Compare the rebuilt projections with the live ones, at the same positions in the log. */
  readonly verify: boolean;
  /**
   * Keep the rebuilt schema after a verify that finds it identical (it is always kept without a verify, where it
   * is the result, and after one that finds a difference, to be looked into).
   */
  readonly keep: boolean;
  /** Messages applied per transaction (default 2,000). */
  readonly chunkSize?: number;
  /** Partitions applied at once (default 2). */
  readonly concurrency?: number;
  /** The most one fetch reads of a partition (default 8 MiB). */
  readonly fetchBytesPerPartition?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayReport {
  readonly service: string;
  readonly liveSchema: string;
  readonly replaySchema: string;
  readonly replaySchemaKept: boolean;
  readonly topics: readonly string[];
  readonly events: ReplayProgress;
  /** From the first message read to the last applied, index builds and the final durable commit included. */
  readonly seconds: number;
  /** Where those seconds went: applying the messages, building the indexes, logging the tables. */
  readonly phaseSeconds: { readonly load: number; readonly indexes: number; readonly durable: number };
  /** Messages the live consumer would have dead-lettered: skipped by the replay, counted by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly rebuilt: SchemaDigest;
  readonly live?: SchemaDigest;
  /** With verify: messages applied after the first pass to reach the live snapshot's positions. */
  readonly caughtUp?: number;
  readonly identical?: boolean;
}

const DEFAULT_CHUNK_SIZE = 2_000;
// As many as the cores of a small machine: more partitions at once only contend for them (bench: 15k/s at 4, 21k/s at 2).
const DEFAULT_CONCURRENCY = 2;

/** `<schema>_replay_<utc timestamp>_<random>`: sorts by time, never collides, fits 63-byte identifiers. */
export function replaySchemaName(liveSchema: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `${liveSchema.slice(0, 30)}_replay_${stamp}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/**
 * Rebuilds a service's projections from its topics into a fresh schema, through the same handlers and the
 * same batched processor as the live consumer, but with no relay (nothing is published again), no job worker
 * and no DLQ (what the live consumer dead-lettered is counted and skipped). Every partition at once, a chunk
 * per transaction, into unlogged tables with commits not waited for (`synchronous_commit = off`), secondary
 * indexes built after the load; the tables are logged and the schema made durable at the end, and it is
 * dropped when the replay does not complete.
 * With `verify`, compares digests of the rebuilt and the live projections at the same positions in the log.
 */
export async function replayService<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  config: Config,
  adminUrl: string,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const liveSchema = config.DATABASE_SCHEMA ?? definition.service;
  const replaySchema = replaySchemaName(liveSchema);
  const admin = new pg.Client({ connectionString: adminUrl, application_name: `replay:${replaySchema}` });
  await admin.connect();
  let completed = false;
  try {
    await migrateServiceSchema({
      adminUrl,
      runtimeUrl: config.DATABASE_URL,
      schema: replaySchema,
      migrations: definition.migrations,
    });
    const tables = [...definition.projections.map((table) => table.table), 'processed_events'];
    const deferred = await dropSecondaryIndexes(admin, replaySchema, tables);
    await switchTables(admin, replaySchema, 'unlogged');
    const startedAt = performance.now();
    const loaded = await load(definition, config, adminUrl, liveSchema, replaySchema, options);
    const loadedAt = performance.now();
    await rebuildIndexes(admin, deferred);
    const indexedAt = performance.now();
    await switchTables(admin, replaySchema, 'logged');
    // A synchronous commit flushes the log up to it, so everything written before it is durable too.
    await admin.query(
      `COMMENT ON SCHEMA ${pg.escapeIdentifier(replaySchema)} IS ${pg.escapeLiteral(
        `replay of ${liveSchema} completed at ${new Date().toISOString()}: ${loaded.events.processed} messages`,
      )}`,
    );
    const durableAt = performance.now();
    const seconds = (durableAt - startedAt) / 1_000;
    const rebuilt = await digestSchema(admin, replaySchema, definition.projections);
    const identical = loaded.live ? loaded.live.digest === rebuilt.digest : undefined;
    const kept = !options.verify || options.keep || identical === false;
    if (!kept) await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(replaySchema)} CASCADE`);
    completed = true;
    return {
      service: definition.service,
      liveSchema,
      replaySchema,
      replaySchemaKept: kept,
      topics: loaded.topics,
      events: loaded.events,
      seconds,
      phaseSeconds: {
        load: (loadedAt - startedAt) / 1_000,
        indexes: (indexedAt - loadedAt) / 1_000,
        durable: (durableAt - indexedAt) / 1_000,
      },
      skipped: loaded.skipped,
      rebuilt,
      ...(loaded.live ? { live: loaded.live, caughtUp: loaded.caughtUp, identical } : {}),
    };
  } finally {
    if (!completed)
      await admin
        .query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(replaySchema)} CASCADE`)
        .catch(() => undefined);
    await admin.end();
  }
}

interface Loaded {
  readonly topics: string[];
  readonly events: ReplayProgress;
  readonly skipped: Record<string, number>;
  readonly live?: SchemaDigest;
  readonly caughtUp?: number;
}

/** Boots the service's modules on the replay schema and applies its topics (up to the live positions with verify). */
async function load<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  config: Config,
  adminUrl: string,
  liveSchema: string,
  replaySchema: string,
  options: ReplayOptions,
): Promise<Loaded> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const context = await NestFactory.createApplicationContext(
    rootModuleOf(definition, config, {
      mode: 'replay',
      schema: replaySchema,
      poolSize: concurrency + 1,
      asynchronousCommit: true,
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    const registry = context.get(EventHandlerRegistry);
    const topics = registry.topics();
    const skipped: Record<string, number> = {};
    const logger = new NestLogger('Replay');
    const deps: IdempotentEventProcessorDeps = {
      dataSource: context.get(DataSource),
      catalogue: eventCatalogue,
      registry,
      consumerGroup: 'replay',
      deadLetters: {
        publish: async (letter: DeadLetter) => {
          skipped[letter.reason] = (skipped[letter.reason] ?? 0) + 1;
        },
      },
      settings: kafkaSettingsFrom(config),
      logger: { warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
      stopSignal: new AbortController().signal,
    };
    const kafka = context.get<Kafka>(KAFKA_CLIENT);
    // Other services' facts first, then the service's own log (the ledger's period closes are recomputed from
    // its own events, so they must see every fact those closes were computed from). The own log in the order
    // the service made its decisions, across partitions: a close releases the escrows earlier closes left, so
    // closes keyed to different partitions are redone in the order they were made.
    const own = new Set(topicsOwnedBy(definition.service as ServiceName));
    const replay = new PhasedReplay({
      kafka,
      processor: new BatchedEventProcessor(deps, new IdempotentEventProcessor(deps)),
      phases: [
        { topics: topics.filter((topic) => !own.has(topic)), order: 'per-partition' },
        { topics: topics.filter((topic) => own.has(topic)), order: 'event-time' },
      ],
      groupPrefix: `replay-${replaySchema}`,
      chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      concurrency,
      ...(options.fetchBytesPerPartition ? { fetchBytesPerPartition: options.fetchBytesPerPartition } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const ranges = await replayRanges(kafka, topics, options.from);
    if (!options.verify) {
      await replay.run(ranges);
      return { topics, events: replay.progress, skipped };
    }
    const liveGroup = config.KAFKA_CONSUMER_GROUP ?? definition.service;
    const firstPass = rangesUpTo(ranges, await committedPositions(kafka, liveGroup, topics));
    await replay.run(firstPass);
    const afterFirstPass = replay.progress.processed;
    const ownAppliedTypes = eventCatalogue.contracts
      .filter((contract) => own.has(contract.topic) && registry.handlersFor(contract.type).length > 0)
      .map((contract) => contract.type);
    const side = {
      adminUrl,
      liveSchema,
      liveGroup,
      kafka,
      topics,
      projections: definition.projections,
      ownAppliedTypes,
    };
    const live = await atLivePositions(side, (at) =>
      replay.run(positionsOfSnapshot(firstPass, at.committed, at.applied)),
    );
    return {
      topics,
      events: replay.progress,
      skipped,
      live,
      caughtUp: replay.progress.processed - afterFirstPass,
    };
  } finally {
    await context.close();
  }
}
