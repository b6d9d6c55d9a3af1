import { createEvent, SubscriberRegisteredV2, uuidV7, type CloudEvent } from '@onecommons/contracts';
import { loadConfig } from '@onecommons/config';
import {
  type ConsumerMode,
  kafkaConfigSchema,
  kafkaSettingsFrom,
  sleep,
  type KafkaSettings,
} from '@onecommons/kafka';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BackboneRig, BENCH_TOPIC, type BenchHandler, Deadline } from './backbone/backbone-rig.js';
import {
  type DrainTimings,
  measureDrain,
  measurePipeline,
  verifyPipeline,
  type PipelineTimings,
} from './backbone/pipeline-measurement.js';
import { drainLedgerUsage, type LedgerUsageDrain } from './backbone/ledger-usage-drain.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench backbone [--json]`: the event backbone end to end on the bench stack (real Kafka and
 * Postgres): outbox writes in transactions → relay → Kafka → idempotent consumer → one effect row per
 * event. Reports throughput and write-to-effect latency, then checks every event was applied exactly once
 * and in order per aggregate; exits 1 when not. With `--json`, the last line is a JSON summary.
 * End-to-end runs write while the pipeline runs; backlog runs write and publish everything first, then start
 * the consumer alone and measure how fast it drains the topic, per-message vs batched (CONSUMER_MODE) and with
 * a per-event or a batch handler. Settings are the services' defaults; the usual variables
 * (OUTBOX_BATCH_SIZE, CONSUMER_CHUNK_SIZE, KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY, ...) override them.
 */

interface Scenario {
  readonly name: string;
  readonly events: number;
  readonly transactionSize: number;
  readonly writers: number;
  readonly aggregates: number;
  /** Events per second the writers hold to; absent: as fast as they can. */
  readonly targetRate?: number;
  /** A backlog run starts the consumer only once every event is on Kafka. */
  readonly backlog?: true;
  readonly mode: ConsumerMode;
  readonly handler: BenchHandler;
}

interface ScenarioResult extends PipelineTimings {
  readonly scenario: Scenario;
  /** Backlog runs: the consumer alone, first to last effect. */
  readonly drain?: DrainTimings;
  readonly partitions: number;
  readonly redelivered: number;
  /** CPU time of this process (writers, relay and consumer share it) over the run, in % of one core. */
  readonly nodeCpuPercent: number;
}

const SHAPE = { transactionSize: 10, writers: 4, aggregates: 1_000 } as const;
const BATCHED = { mode: 'batched', handler: 'per-event' } as const;
const WARM_UP: Scenario = { name: 'warm-up', events: 1_000, ...SHAPE, ...BATCHED };
const BACKLOG = { name: 'backlog', events: 50_000, ...SHAPE, backlog: true } as const;
const SCENARIOS: readonly Scenario[] = [
  { name: 'burst', events: 5_000, ...SHAPE, ...BATCHED },
  { name: 'burst', events: 20_000, ...SHAPE, ...BATCHED },
  { name: 'burst', events: 20_000, ...SHAPE, mode: 'per-message', handler: 'per-event' },
  { name: 'paced', events: 5_000, ...SHAPE, ...BATCHED, targetRate: 500 },
  { ...BACKLOG, mode: 'per-message', handler: 'per-event' },
  { ...BACKLOG, mode: 'batched', handler: 'per-event' },
  { ...BACKLOG, mode: 'batched', handler: 'batch' },
];

function benchSettings(kafkaBrokers: string): KafkaSettings {
  const env = { ...process.env, KAFKA_BROKERS: kafkaBrokers };
  return kafkaSettingsFrom(loadConfig(kafkaConfigSchema(), env));
}

function syntheticEvents(scenario: Scenario): CloudEvent[] {
  const subscribers = Array.from({ length: scenario.aggregates }, () => uuidV7());
  const registeredAt = new Date().toISOString();
  return Array.from({ length: scenario.events }, (_, index) =>
    createEvent(
      SubscriberRegisteredV2,
      { subscriberId: subscribers[index % subscribers.length] as string, emailVerified: false, registeredAt },
      { source: '/onecommons/bench/backbone' },
    ),
  );
}

/** Writers take the next transaction's events in turn; with a target rate, none starts before its time. */
async function writeAll(rig: BackboneRig, events: readonly CloudEvent[], scenario: Scenario): Promise<void> {
  const transactions = Math.ceil(events.length / scenario.transactionSize);
  const startedAt = performance.now();
  let next = 0;
  const writer = async () => {
    for (let index = next++; index < transactions; index = next++) {
      const first = index * scenario.transactionSize;
      if (scenario.targetRate) {
        const wait = startedAt + (first / scenario.targetRate) * 1_000 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await rig.commit(events.slice(first, first + scenario.transactionSize));
    }
  };
  await Promise.all(Array.from({ length: scenario.writers }, writer));
}

async function runScenario(scenario: Scenario, baseSettings: KafkaSettings): Promise<ScenarioResult> {
  const settings: KafkaSettings = { ...baseSettings, consumerMode: scenario.mode };
  const stack = testStack();
  const suffix = uniqueSuffix();
  const consumerGroup = `bench-backbone-${suffix}`;
  const deadline = new Deadline(30_000 + scenario.events * 3);
  const rig = await BackboneRig.create({
    postgresAdminUrl: stack.postgresAdminUrl,
    schema: `bench_${suffix}`,
    consumerGroup,
    settings,
    writers: scenario.writers,
    handler: scenario.handler,
  });
  try {
    await rig.startRelay(deadline);
    const events = syntheticEvents(scenario);
    console.error(`[bench] ${describeScenario(scenario)}: running`);
    let cpuBefore = process.cpuUsage();
    let wallBefore = performance.now();
    const partitions = await rig.pinConsumerStart();
    if (scenario.backlog) {
      await writeAll(rig, events, scenario);
      await waitForPublished(rig, deadline);
      cpuBefore = process.cpuUsage();
      wallBefore = performance.now();
      await rig.startConsumer();
    } else {
      await rig.startConsumer();
      await writeAll(rig, events, scenario);
    }
    const settled = () => rig.outcomes.applied + rig.outcomes.dead_lettered + rig.outcomes.ignored;
    await deadline.until(`${scenario.events} events are applied`, () => settled() >= scenario.events);
    const cpu = process.cpuUsage(cpuBefore);
    const nodeCpuPercent = ((cpu.user + cpu.system) / 1_000 / (performance.now() - wallBefore)) * 100;
    const { dead_lettered: deadLettered, ignored, duplicate } = rig.outcomes;
    const problems = [
      ...(await verifyPipeline(rig.consuming, scenario.events, consumerGroup)),
      ...(deadLettered > 0 ? [`${deadLettered} messages dead-lettered`] : []),
      ...(ignored > 0 ? [`${ignored} messages ignored`] : []),
    ];
    if (problems.length > 0) throw new VerificationError(scenario, problems);
    return {
      scenario,
      partitions,
      redelivered: duplicate,
      nodeCpuPercent,
      ...(await measurePipeline(rig.consuming)),
      ...(scenario.backlog ? { drain: await measureDrain(rig.consuming) } : {}),
    };
  } finally {
    await rig.dispose();
  }
}

const LEDGER_USAGE_EVENTS = 50_000;
const CONSUMER_MODES: readonly ConsumerMode[] = ['per-message', 'batched'];

interface LedgerUsageResult extends LedgerUsageDrain {
  readonly mode: ConsumerMode;
}

/** The ledger's usage projection draining a backlog of UsageRecorded, per consumer mode. */
async function runLedgerUsage(baseSettings: KafkaSettings): Promise<LedgerUsageResult[]> {
  const results: LedgerUsageResult[] = [];
  for (const mode of CONSUMER_MODES) {
    console.error(
      `[bench] ledger usage projection, ${count(LEDGER_USAGE_EVENTS)} UsageRecorded, ${mode}: running`,
    );
    const drain = await drainLedgerUsage(
      testStack().postgresAdminUrl,
      { ...baseSettings, consumerMode: mode },
      LEDGER_USAGE_EVENTS,
      new Deadline(30_000 + LEDGER_USAGE_EVENTS * 3),
    );
    results.push({ ...drain, mode });
  }
  return results;
}

async function waitForPublished(rig: BackboneRig, deadline: Deadline): Promise<void> {
  while ((await rig.unpublished()) > 0) {
    deadline.check('the relay has published the backlog');
    await sleep(50);
  }
}

function describeScenario(scenario: Scenario): string {
  return `${scenario.name} ${scenario.events.toLocaleString('en-US')} events, ${scenario.mode}, ${scenario.handler} handler`;
}

class VerificationError extends Error {
  constructor(scenario: Scenario, problems: readonly string[]) {
    super(`${describeScenario(scenario)} failed verification:\n  ${problems.join('\n  ')}`);
    this.name = 'VerificationError';
  }
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => value.toFixed(1);

function printTables(results: readonly ScenarioResult[], settings: KafkaSettings, loadBefore: number): void {
  console.log(
    `backbone benchmark: outbox → relay → Kafka → idempotent consumer → Postgres, node ${process.version}`,
  );
  // Broker, database and this process share the machine: other work on it shows in every number.
  console.log(`${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the runs`);
  console.log(
    `${BENCH_TOPIC} (${results[0]?.partitions ?? '?'} partitions), ${SHAPE.writers} writers × ` +
      `${SHAPE.transactionSize} events per transaction over ${count(SHAPE.aggregates)} aggregates; ` +
      `relay batch ${settings.outboxBatchSize}, poll ${settings.outboxPollIntervalMs} ms, ` +
      `partitionsConsumedConcurrently ${settings.partitionsConsumedConcurrently}, ` +
      `consumer chunk ${settings.consumerChunkSize}`,
  );
  const endToEnd = results.filter((result) => !result.drain);
  const label = (result: ScenarioResult) => [
    result.scenario.name,
    count(result.scenario.events),
    result.scenario.mode,
    result.scenario.handler,
  ];
  console.log("\nend to end: throughput (events/s over each stage's span from the first outbox write)");
  const throughput = formatTable(
    [
      'run',
      'events',
      'consumer',
      'handler',
      'target',
      'written',
      'on Kafka',
      'applied',
      'seconds',
      'redelivered',
      'node CPU %',
    ],
    endToEnd.map((result) => [
      ...label(result),
      result.scenario.targetRate ? count(result.scenario.targetRate) : 'max',
      count(result.writeEventsPerSecond),
      count(result.onKafkaEventsPerSecond),
      count(result.eventsPerSecond),
      result.seconds.toFixed(2),
      String(result.redelivered),
      result.nodeCpuPercent.toFixed(0),
    ]),
  );
  for (const line of throughput) console.log(line);
  console.log('\nend to end: latency ms (outbox write → Kafka acknowledged | outbox write → effect applied)');
  const latency = formatTable(
    ['run', 'events', 'consumer', 'handler', 'Kafka p50', 'p99', 'max', 'effect p50', 'p95', 'p99', 'max'],
    endToEnd.map((result) => [
      ...label(result),
      ms(result.relayLatencyMs.p50),
      ms(result.relayLatencyMs.p99),
      ms(result.relayLatencyMs.max),
      ms(result.latencyMs.p50),
      ms(result.latencyMs.p95),
      ms(result.latencyMs.p99),
      ms(result.latencyMs.max),
    ]),
  );
  for (const line of latency) console.log(line);
  console.log('\nconsumer alone: draining a backlog already on Kafka (first to last effect)');
  const drains = formatTable(
    ['run', 'events', 'consumer', 'handler', 'seconds', 'applied/s', 'redelivered', 'node CPU %'],
    results.flatMap((result) =>
      result.drain
        ? [
            [
              ...label(result),
              result.drain.seconds.toFixed(2),
              count(result.drain.eventsPerSecond),
              String(result.redelivered),
              result.nodeCpuPercent.toFixed(0),
            ],
          ]
        : [],
    ),
  );
  for (const line of drains) console.log(line);
  console.log('\nevery run verified: each event applied exactly once, in order per aggregate');
}

function printLedgerUsage(results: readonly LedgerUsageResult[]): void {
  console.log(
    "\nthe ledger's usage projection (its @OnEventBatch handler, ledger schema) draining UsageRecorded already on " +
      'metering.usage.v1 (1,000 subscribers, 1–3 usage rows each), from the join to the last applied count',
  );
  const table = formatTable(
    ['consumer', 'events', 'seconds', 'applied/s'],
    results.map((result) => [
      result.mode,
      count(result.events),
      result.seconds.toFixed(2),
      count(result.eventsPerSecond),
    ]),
  );
  for (const line of table) console.log(line);
  console.log('verified: every event counted once for its period, quantities add up');
}

function jsonSummary(results: readonly ScenarioResult[], settings: KafkaSettings, loadBefore: number) {
  const latency = (summary: PipelineTimings['latencyMs']) => ({
    p50: round(summary.p50),
    p95: round(summary.p95),
    p99: round(summary.p99),
    max: round(summary.max),
    mean: round(summary.mean),
  });
  return {
    bench: 'backbone',
    ok: true,
    topic: BENCH_TOPIC,
    partitions: results[0]?.partitions ?? null,
    settings: {
      outboxBatchSize: settings.outboxBatchSize,
      outboxPollIntervalMs: settings.outboxPollIntervalMs,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
      consumerChunkSize: settings.consumerChunkSize,
    },
    results: results.map((result) => ({
      run: result.scenario.name,
      consumerMode: result.scenario.mode,
      handler: result.scenario.handler,
      events: result.scenario.events,
      transactionSize: result.scenario.transactionSize,
      writers: result.scenario.writers,
      aggregates: result.scenario.aggregates,
      targetRate: result.scenario.targetRate ?? null,
      seconds: round(result.seconds, 3),
      eventsPerSecond: Math.round(result.eventsPerSecond),
      writeEventsPerSecond: Math.round(result.writeEventsPerSecond),
      onKafkaEventsPerSecond: Math.round(result.onKafkaEventsPerSecond),
      latencyMs: latency(result.latencyMs),
      toKafkaLatencyMs: latency(result.relayLatencyMs),
      drain: result.drain
        ? {
            seconds: round(result.drain.seconds, 3),
            eventsPerSecond: Math.round(result.drain.eventsPerSecond),
          }
        : null,
      redelivered: result.redelivered,
      nodeCpuPercent: Math.round(result.nodeCpuPercent),
      verified: true,
    })),
    node: process.version,
    cpus: cpus().length,
    loadAverageBefore: round(loadBefore, 2),
  };
}

async function main(asJson: boolean): Promise<number> {
  const stack = testStack();
  const settings = benchSettings(stack.kafkaBrokers);
  const loadBefore = loadavg()[0] ?? 0;
  try {
    await runScenario(WARM_UP, settings);
    const results: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) results.push(await runScenario(scenario, settings));
    const ledgerUsage = await runLedgerUsage(settings);
    printTables(results, settings, loadBefore);
    printLedgerUsage(ledgerUsage);
    if (asJson) {
      const ledgerUsageSummary = ledgerUsage.map((result) => ({
        consumerMode: result.mode,
        events: result.events,
        seconds: round(result.seconds, 3),
        eventsPerSecond: Math.round(result.eventsPerSecond),
      }));
      console.log(
        JSON.stringify({ ...jsonSummary(results, settings, loadBefore), ledgerUsage: ledgerUsageSummary }),
      );
    }
    return 0;
  } catch (error) {
    console.error(`[bench] backbone: ${error instanceof Error ? error.message : String(error)}`);
    if (asJson) console.log(JSON.stringify({ bench: 'backbone', ok: false, error: String(error) }));
    return 1;
  }
}

process.exitCode = await main(process.argv.includes('--json'));
