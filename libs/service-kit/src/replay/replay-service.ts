import { randomBytes } from 'node:crypto';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { eventCatalogue, type ServiceName, topicsOwnedBy } from '@onecommons/contracts';
import {
  EventHandlerRegistry,
  IdempotentEventProcessor,
  KAFKA_CLIENT,
  kafkaSettingsFrom,
  replayTopics,
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

export interface ReplayOptions {
  readonly from: ReplayStart;
  /** Compare the rebuilt projections with the live ones. */
  readonly verify: boolean;
  /** Keep the rebuilt schema after a verify (it is always kept without one: it is the result). */
  readonly keep: boolean;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayReport {
  readonly service: string;
  readonly liveSchema: string;
  readonly replaySchema: string;
  readonly replaySchemaKept: boolean;
  readonly topics: readonly string[];
  readonly events: ReplayProgress;
  /** Messages the live consumer would have dead-lettered: skipped by the replay, counted by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly rebuilt: SchemaDigest;
  readonly live?: SchemaDigest;
  readonly identical?: boolean;
}

/** `<schema>_replay_<utc timestamp>_<random>`: sorts by time, never collides, fits 63-byte identifiers. */
export function replaySchemaName(liveSchema: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `${liveSchema.slice(0, 30)}_replay_${stamp}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/**
 * Rebuilds a service's projections from its topics into a fresh schema, through the same handlers and
 * the same idempotent processor as the live consumer, but with no relay (nothing is published again), no
 * job worker and no DLQ (what the live consumer dead-lettered is counted and skipped). With `verify`,
 * digests the rebuilt and the live projection tables.
 */
export async function replayService<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  config: Config,
  adminUrl: string,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const liveSchema = config.DATABASE_SCHEMA ?? definition.service;
  const replaySchema = replaySchemaName(liveSchema);
  await migrateServiceSchema({
    adminUrl,
    runtimeUrl: config.DATABASE_URL,
    schema: replaySchema,
    migrations: definition.migrations,
  });
  const context = await NestFactory.createApplicationContext(
    rootModuleOf(definition, config, { mode: 'replay', schema: replaySchema }),
    { logger: ['error', 'warn'] },
  );
  const skipped: Record<string, number> = {};
  let events: ReplayProgress;
  let topics: string[];
  try {
    const registry = context.get(EventHandlerRegistry);
    topics = registry.topics();
    const logger = new NestLogger('Replay');
    const processor = new IdempotentEventProcessor({
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
    });
    // Other services' facts first, then the service's own log (the ledger's period closes are recomputed from
    // its own events, so they must see every fact those closes were computed from).
    const own = new Set(topicsOwnedBy(definition.service as ServiceName));
    const phases = [topics.filter((topic) => !own.has(topic)), topics.filter((topic) => own.has(topic))];
    let done: ReplayProgress | undefined;
    for (const [index, phaseTopics] of phases.entries()) {
      if (phaseTopics.length === 0) continue;
      const before = done;
      const progress = await replayTopics({
        kafka: context.get<Kafka>(KAFKA_CLIENT),
        topics: phaseTopics,
        from: options.from,
        processor,
        groupId: `replay-${replaySchema}-${index}`,
        ...(options.onProgress
          ? { onProgress: (current: ReplayProgress) => options.onProgress?.(combined(before, current)) }
          : {}),
      });
      done = combined(before, progress);
    }
    events = done ?? {
      processed: 0,
      total: 0,
      outcomes: { applied: 0, duplicate: 0, ignored: 0, dead_lettered: 0 },
    };
  } finally {
    await context.close();
  }
  const admin = new pg.Client({ connectionString: adminUrl, application_name: `replay:${replaySchema}` });
  await admin.connect();
  try {
    const rebuilt = await digestSchema(admin, replaySchema, definition.projections);
    const live = options.verify ? await digestSchema(admin, liveSchema, definition.projections) : undefined;
    const kept = !options.verify || options.keep;
    if (!kept) await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(replaySchema)} CASCADE`);
    return {
      service: definition.service,
      liveSchema,
      replaySchema,
      replaySchemaKept: kept,
      topics,
      events,
      skipped,
      rebuilt,
      ...(live ? { live, identical: live.digest === rebuilt.digest } : {}),
    };
  } finally {
    await admin.end();
  }
}

/** Two phases' progress as one. */
function combined(before: ReplayProgress | undefined, current: ReplayProgress): ReplayProgress {
  if (!before) return current;
  const outcomes = { ...before.outcomes };
  for (const [outcome, count] of Object.entries(current.outcomes) as [keyof typeof outcomes, number][])
    outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
  return { processed: before.processed + current.processed, total: before.total + current.total, outcomes };
}
