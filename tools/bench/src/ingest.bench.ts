import { cpus } from 'node:os';
import { type BaselineKind, runInsertBaseline } from './ingest/insert-baseline.js';
import {
  ingestJsonLine,
  ingestNumbers,
  secondsArgument,
  type IngestNumbers,
} from './ingest/ingest-report.js';
import { runIngestLoad, type LoadTally } from './ingest/ingest-load.js';
import { MeteringOutcome } from './ingest/metering-outcome.js';
import { registerSubscribers, startIngestBench } from './ingest/platform-setup.js';
import { runMeasuredLoad } from './ingest/measured-load.js';
import { cpuSummary } from './ingest/process-cpu.js';
import { INGEST_LOAD_SHAPE, UsageBatchGenerator } from './ingest/usage-batches.js';
import { type LatencySummary } from './latency-summary.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench ingest [--json] [--seconds N]`: usage ingestion end to end on the bench stack, every service
 * behind the nginx gateway. Several connections send CloudEvents batches (100–1000 events, many subscribers,
 * ~1% resends) to `POST /api/metering/v1/events` for N seconds (default 60); the run ends when the outbox
 * relay has published everything accepted to Kafka, and is verified (each distinct event stored, aggregated
 * and announced exactly once). Then two baselines over as many connections, the same rows as multi-row
 * INSERTs: bare (an unindexed table) and keyed (a table unique by a 16-byte digest, `ON CONFLICT DO NOTHING`,
 * like `usage_events`). With `--json` the last line is `{"bench":"ingest","eventsPerSecond",
 * "baselineRowsPerSecond","ratio","keyedBaselineRowsPerSecond","keyedRatio","p99BatchMs"}`.
 */

const CONNECTIONS = 8;
const WARM_UP_SECONDS = 5;
const DEFAULT_SECONDS = 60;
const SEED = 20_261_125;
const TARGET_EVENTS_PER_SECOND = 30_000;
const TARGET_RATIO = 0.3;
const TARGET_KEYED_RATIO = 0.7;

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => value.toFixed(1);
const log = (message: string) => console.error(`[bench] ${message}`);

/** A baseline's line of the report: it sends the same rows, so accepted and duplicate stay empty. */
const baselineRow = (label: string, sent: number, rowsPerSecond: number, batchMs: LatencySummary) => [
  label,
  count(batchMs.count),
  count(sent),
  '',
  '',
  count(rowsPerSecond),
  ms(batchMs.p50),
  ms(batchMs.p99),
  ms(batchMs.max),
];

function printReport(
  seconds: number,
  tally: LoadTally,
  numbers: IngestNumbers,
  outboxRows: number,
  cpu: ReadonlyMap<string, number>,
  loadBefore: number,
): void {
  console.log(
    `ingest benchmark: gateway → metering → Postgres → outbox relay → Kafka, node ${process.version}`,
  );
  console.log(`${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the run`);
  console.log(
    `${CONNECTIONS} connections × ${seconds} s, batches of ${INGEST_LOAD_SHAPE.minBatch}–${INGEST_LOAD_SHAPE.maxBatch} ` +
      `events over ${count(INGEST_LOAD_SHAPE.subscribers)} subscribers and ${INGEST_LOAD_SHAPE.meters.length} meters, ` +
      `${INGEST_LOAD_SHAPE.resendShare * 100}% resends`,
  );
  console.log('');
  const rows = formatTable(
    ['run', 'batches', 'rows sent', 'accepted', 'duplicate', 'rows/s', 'batch p50 ms', 'p99', 'max'],
    [
      [
        'ingest (end to end)',
        count(tally.batches),
        count(tally.sent),
        count(tally.accepted),
        count(tally.duplicate),
        count(numbers.eventsPerSecond),
        ms(numbers.batchMs.p50),
        ms(numbers.batchMs.p99),
        ms(numbers.batchMs.max),
      ],
      baselineRow('baseline INSERT', tally.sent, numbers.baselineRowsPerSecond, numbers.baselineBatchMs),
      baselineRow(
        'keyed INSERT (unique digest)',
        tally.sent,
        numbers.keyedBaselineRowsPerSecond,
        numbers.keyedBaselineBatchMs,
      ),
    ],
  );
  for (const line of rows) console.log(line);
  console.log('');
  console.log(
    `accepted ${count(numbers.acceptedPerSecond)}/s while loading; outbox drained ${numbers.drainSeconds.toFixed(2)} s ` +
      `after the last answer; ${count(outboxRows)} UsageRecorded events published ` +
      `(${(tally.accepted / Math.max(outboxRows, 1)).toFixed(1)} usage events each); ${tally.rejected} rejected; ` +
      `${tally.rateLimited} answers 429 (sent again)`,
  );
  console.log(`CPU % of one core during the load: ${cpuSummary(cpu)}`);
  console.log(
    `targets: ≥ ${count(TARGET_EVENTS_PER_SECOND)} events/s ${numbers.eventsPerSecond >= TARGET_EVENTS_PER_SECOND ? 'met' : 'NOT met'}, ` +
      `ratio ≥ ${TARGET_RATIO} ${numbers.ratio >= TARGET_RATIO ? 'met' : 'NOT met'} (${numbers.ratio.toFixed(3)}), ` +
      `keyed ratio ≥ ${TARGET_KEYED_RATIO} ${numbers.keyedRatio >= TARGET_KEYED_RATIO ? 'met' : 'NOT met'} ` +
      `(${numbers.keyedRatio.toFixed(3)})`,
  );
  console.log('verified: every distinct event stored, aggregated and published exactly once');
}

async function main(argv: readonly string[]): Promise<number> {
  const asJson = argv.includes('--json');
  const seconds = secondsArgument(argv, DEFAULT_SECONDS);
  const bench = await startIngestBench('ingest', INGEST_LOAD_SHAPE.meters, log);
  const { stack, url, serviceId, apiKey, loadBefore } = bench;
  const outcome = await MeteringOutcome.connect(stack.postgresAdminUrl);
  try {
    log(`warming up for ${WARM_UP_SECONDS} s`);
    const warmUp = new UsageBatchGenerator(INGEST_LOAD_SHAPE, serviceId, 'warm-up', SEED + 1);
    const generator = new UsageBatchGenerator(INGEST_LOAD_SHAPE, serviceId, 'run', SEED);
    await registerSubscribers(stack.postgresAdminUrl, [...warmUp.subscribers, ...generator.subscribers]);
    const warm = await runIngestLoad({
      url,
      apiKey,
      connections: CONNECTIONS,
      seconds: WARM_UP_SECONDS,
      nextBatch: () => warmUp.next(),
    });
    await outcome.publishedAll(120_000);

    log(`loading for ${seconds} s over ${CONNECTIONS} connections`);
    const outboxRowsBefore = await outcome.outboxRows();
    const { tally, cpuUntil } = await runMeasuredLoad(bench, {
      connections: CONNECTIONS,
      seconds,
      nextBatch: () => generator.next(),
      progressEverySeconds: 10,
      log,
    });
    const cpu = cpuUntil();
    log(
      `waiting until the outbox relay has published everything (${count(await outcome.pendingOutbox())} rows left)`,
    );
    const publishedAt = await outcome.publishedAll(600_000);
    const problems = await outcome.verify(serviceId, warm.accepted + tally.accepted);
    const expectedAccepted = warm.sent - warm.resends + (tally.sent - tally.resends);
    if (warm.accepted + tally.accepted !== expectedAccepted)
      problems.push(
        `metering accepted ${warm.accepted + tally.accepted} events, ${expectedAccepted} were distinct`,
      );
    if (problems.length > 0) throw new Error(`verification failed:\n  ${problems.join('\n  ')}`);
    const outboxRows = (await outcome.outboxRows()) - outboxRowsBefore;

    const runBaseline = (kind: BaselineKind) => {
      const replay = new UsageBatchGenerator(INGEST_LOAD_SHAPE, serviceId, 'run', SEED);
      return runInsertBaseline({
        kind,
        postgresUrl: stack.postgresAdminUrl,
        connections: CONNECTIONS,
        batches: tally.batches,
        nextBatch: () => replay.next(),
      });
    };
    log(`baseline: the same ${count(tally.sent)} rows as multi-row INSERTs into an unindexed table`);
    const baseline = await runBaseline('bare');
    log(`keyed baseline: the same rows into a table unique by a 16-byte digest, ON CONFLICT DO NOTHING`);
    const keyed = await runBaseline('keyed');
    const numbers = ingestNumbers({
      accepted: tally.accepted,
      loadStartedAt: tally.startedAt,
      loadFinishedAt: tally.finishedAt,
      publishedAt,
      latenciesMs: tally.latenciesMs,
      baselineRows: baseline.rows,
      baselineSeconds: baseline.seconds,
      baselineLatenciesMs: baseline.latenciesMs,
      keyedBaselineRows: keyed.rows,
      keyedBaselineSeconds: keyed.seconds,
      keyedBaselineLatenciesMs: keyed.latenciesMs,
    });
    printReport(seconds, tally, numbers, outboxRows, cpu, loadBefore);
    if (asJson) console.log(ingestJsonLine(numbers));
    return 0;
  } catch (error) {
    log(`ingest: ${error instanceof Error ? error.message : String(error)}`);
    if (asJson) console.log(JSON.stringify({ bench: 'ingest', ok: false, error: String(error) }));
    return 1;
  } finally {
    await outcome.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
