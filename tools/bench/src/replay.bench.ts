import { loadConfig } from '@onecommons/config';
import { createKafka, kafkaConfigSchema, kafkaSettingsFrom } from '@onecommons/kafka';
import { type ServiceConfig, type ServiceDefinition, replayService } from '@onecommons/service-kit';
import { prepareService, testStack } from '@onecommons/testing';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type z } from 'zod';
// The bench replays the ledger itself; a tool may not depend on a service otherwise.
// eslint-disable-next-line onecommons/module-boundaries
import { ledgerService } from '@onecommons/ledger/dist/src/ledger.definition.js';
import { benchStackProcesses } from './ingest/process-cpu.js';
import { CpuSampler } from './replay/cpu-sampler.js';
import { produceLedgerLog, type LedgerLogContents } from './replay/ledger-log.js';
import { replayBenchOptions, type ReplayBenchOptions } from './replay/replay-bench-options.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench replay [--json] [--events N] [--concurrency N] [--chunk-size N]`: `replayService` rebuilding the
 * ledger from a log on the bench stack: catalog's meters, 20,000 subscribers' registrations and N UsageRecorded
 * (default 200,000) for them, produced straight to Kafka. Timed from the first message read to the rebuilt
 * schema's durable commit (index builds included); the rebuilt schema is then checked (every usage event counted
 * once, quantities add up, every subscriber there). With `--json` the last line is
 * `{"bench":"replay","events","eventsPerSecond",...}`.
 */

const TARGET_EVENTS_PER_SECOND = 100_000;
const SUBSCRIBERS = 20_000;
const PERIOD = '2026-12';

const log = (message: string) => console.error(`[bench] ${message}`);
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function checkRebuilt(admin: pg.Client, schema: string, expected: LedgerLogContents): Promise<void> {
  const { rows } = await admin.query<{ applied: string; quantity: string; subscribers: string }>(
    `SELECT (SELECT coalesce(sum(applied), 0)::text FROM ${schema}.usage_applied_counts WHERE period = $1) AS applied,
            (SELECT coalesce(sum(quantity), 0)::text FROM ${schema}.usage_quantities WHERE period = $1) AS quantity,
            (SELECT count(*)::text FROM ${schema}.subscribers) AS subscribers`,
    [PERIOD],
  );
  const [row] = rows;
  const problems = [
    row?.applied === String(expected.usageEvents)
      ? null
      : `applied ${row?.applied}, expected ${expected.usageEvents}`,
    row?.quantity === expected.usageQuantity.toString()
      ? null
      : `quantity ${row?.quantity}, expected ${expected.usageQuantity}`,
    row?.subscribers === String(expected.subscribers)
      ? null
      : `subscribers ${row?.subscribers}, expected ${expected.subscribers}`,
  ].filter((problem) => problem !== null);
  if (problems.length > 0) throw new Error(`the rebuilt ledger is wrong: ${problems.join('; ')}`);
}

async function run(options: ReplayBenchOptions, asJson: boolean): Promise<void> {
  const stack = testStack();
  const loadBefore = loadavg()[0] ?? 0;
  const definition = ledgerService as unknown as ServiceDefinition<ServiceConfig>;
  const prepared = await prepareService(definition, {
    env: { DATABASE_POOL_SIZE: String(options.concurrency + 1) },
  });
  const config = loadConfig(definition.configSchema as unknown as z.ZodObject, prepared.env) as ServiceConfig;
  const kafka = createKafka(
    kafkaSettingsFrom(loadConfig(kafkaConfigSchema(), prepared.env)),
    'bench-replay-producer',
  );
  log(
    `producing the ledger's log: ${count(options.events)} UsageRecorded for ${count(SUBSCRIBERS)} subscribers`,
  );
  const contents = await produceLedgerLog(kafka, {
    usageEvents: options.events,
    subscribers: SUBSCRIBERS,
    services: 20,
    period: PERIOD,
  });
  const admin = new pg.Client({ connectionString: stack.postgresAdminUrl });
  await admin.connect();
  let replaySchema: string | undefined;
  try {
    log(`replaying ${count(contents.messages)} messages into a fresh ledger schema`);
    // The bench stack's processes: this one (the replay runs in it), its Postgres database and its Kafka.
    const stackProcesses = benchStackProcesses(stack);
    const sampler = new CpuSampler(stackProcesses);
    const startedAt = performance.now();
    const report = await replayService(definition, config, stack.postgresAdminUrl, {
      from: { kind: 'earliest' },
      verify: false,
      keep: true,
      concurrency: options.concurrency,
      chunkSize: options.chunkSize,
    });
    const wallSeconds = (performance.now() - startedAt) / 1_000;
    const cpu = sampler.stop();
    replaySchema = report.replaySchema;
    if (report.events.processed !== contents.messages)
      throw new Error(`replayed ${report.events.processed} messages, the log holds ${contents.messages}`);
    await checkRebuilt(admin, pg.escapeIdentifier(report.replaySchema), contents);
    const eventsPerSecond = report.events.processed / report.seconds;
    const loadAfter = loadavg()[0] ?? 0;
    console.log(
      `replay benchmark: replayService rebuilding the ledger on the bench stack, node ${process.version}`,
    );
    console.log(
      `${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    );
    console.log(
      `${count(contents.messages)} messages (${count(contents.usageEvents)} UsageRecorded, ${count(contents.subscribers)} ` +
        `subscribers), concurrency ${options.concurrency}, chunk ${options.chunkSize}\n`,
    );
    for (const line of formatTable(
      [
        'messages',
        'replay s',
        'load s',
        'indexes s',
        'logged s',
        'messages/s',
        'wall s (boot, migrate)',
        'target',
      ],
      [
        [
          count(report.events.processed),
          report.seconds.toFixed(2),
          report.phaseSeconds.load.toFixed(2),
          report.phaseSeconds.indexes.toFixed(2),
          report.phaseSeconds.durable.toFixed(2),
          count(eventsPerSecond),
          wallSeconds.toFixed(2),
          count(TARGET_EVENTS_PER_SECOND),
        ],
      ],
    ))
      console.log(line);
    console.log('\nCPU over the whole replay, % of one core:');
    for (const line of formatTable(
      ['process', 'CPU %'],
      [...cpu.entries()].map(([group, percent]) => [group, percent.toFixed(0)]),
    ))
      console.log(line);
    console.log('verified: every usage event counted once, quantities add up, every subscriber rebuilt');
    if (asJson)
      console.log(
        JSON.stringify({
          bench: 'replay',
          events: report.events.processed,
          eventsPerSecond: Math.round(eventsPerSecond),
          seconds: round(report.seconds, 3),
          phaseSeconds: {
            load: round(report.phaseSeconds.load, 3),
            indexes: round(report.phaseSeconds.indexes, 3),
            durable: round(report.phaseSeconds.durable, 3),
          },
          wallSeconds: round(wallSeconds, 3),
          target: TARGET_EVENTS_PER_SECOND,
          concurrency: options.concurrency,
          chunkSize: options.chunkSize,
          cpuPercent: Object.fromEntries([...cpu].map(([group, percent]) => [group, Math.round(percent)])),
          cpus: cpus().length,
          loadAverageBefore: round(loadBefore, 2),
          loadAverageAfter: round(loadAfter, 2),
          node: process.version,
        }),
      );
  } finally {
    for (const schema of [replaySchema, prepared.schema])
      if (schema) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const asJson = argv.includes('--json');
  let options: ReplayBenchOptions;
  try {
    options = replayBenchOptions(argv.filter((arg) => arg !== '--json'));
  } catch (error) {
    console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    await run(options, asJson);
    return 0;
  } catch (error) {
    console.error(
      `[bench] replay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    if (asJson) console.log(JSON.stringify({ bench: 'replay', ok: false, error: String(error) }));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
