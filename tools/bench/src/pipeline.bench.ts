import { cpus } from 'node:os';
import { secondsArgument } from './ingest/ingest-report.js';
import { runIngestLoad } from './ingest/ingest-load.js';
import { MeteringOutcome } from './ingest/metering-outcome.js';
import { registerSubscribers, startIngestBench } from './ingest/platform-setup.js';
import { runMeasuredLoad } from './ingest/measured-load.js';
import { cpuSummary } from './ingest/process-cpu.js';
import { seededUuid } from './ingest/usage-batches.js';
import { LedgerUsageWatch } from './pipeline/ledger-usage-watch.js';
import { SubscriberSweep } from './pipeline/subscriber-sweep.js';
import { SeededRandom } from './seeded-random.js';

/**
 * `./dev bench pipeline [--json] [--seconds N]`: usage from the gateway to the ledger's projection, on the bench
 * stack. Several connections send batches of 1,000 events, one per subscriber of 20,000, for N seconds (default
 * 20); then the bench waits until the ledger's usage projection holds all of it (every event has quantity 1,
 * so the projection's sum is the count applied). Ingest rate = events accepted ÷ (first request → last
 * answer); ledger rate = the same events ÷ (first request → the projection holds them all); the ratio says
 * whether the ledger keeps up. Verified: metering stored, aggregated and announced each event once, and the
 * ledger holds exactly what was accepted. With `--json` the last line is
 * `{"bench":"pipeline","ingestEventsPerSecond","ledgerEventsPerSecond","ratio"}`.
 */

const CONNECTIONS = 8;
const SUBSCRIBERS = 20_000;
const BATCH = 1_000;
const METERS = ['active_seconds', 'requests', 'storage_mb_hours'] as const;
const WARM_UP_SECONDS = 5;
const DEFAULT_SECONDS = 20;
const SEED = 20_261_203;
const TARGET_RATIO = 0.8;
const TARGET_INGEST = 30_000;

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const log = (message: string) => console.error(`[bench] ${message}`);

async function main(argv: readonly string[]): Promise<number> {
  const asJson = argv.includes('--json');
  const seconds = secondsArgument(argv, DEFAULT_SECONDS);
  const bench = await startIngestBench('pipeline', METERS, log);
  const { stack, url, serviceId, apiKey, loadBefore } = bench;
  const random = new SeededRandom(SEED);
  const subscribers = Array.from({ length: SUBSCRIBERS }, () => seededUuid(random));
  await registerSubscribers(stack.postgresAdminUrl, subscribers);
  const metering = await MeteringOutcome.connect(stack.postgresAdminUrl);
  const ledger = await LedgerUsageWatch.connect(stack.postgresAdminUrl);
  try {
    log(`warming up for ${WARM_UP_SECONDS} s`);
    const warmUp = new SubscriberSweep(subscribers, serviceId, METERS, 'warm-up', BATCH);
    const warm = await runIngestLoad({
      url,
      apiKey,
      connections: CONNECTIONS,
      seconds: WARM_UP_SECONDS,
      nextBatch: () => warmUp.next(),
    });
    await ledger.holds(serviceId, BigInt(warm.accepted), 600_000);

    log(`loading for ${seconds} s over ${CONNECTIONS} connections, then waiting for the ledger`);
    const announcementsBefore = await metering.outboxRows();
    const sweep = new SubscriberSweep(subscribers, serviceId, METERS, 'run', BATCH);
    const { tally, cpuUntil } = await runMeasuredLoad(bench, {
      connections: CONNECTIONS,
      seconds,
      nextBatch: () => sweep.next(),
      progressEverySeconds: 5,
      log,
    });
    const total = BigInt(warm.accepted + tally.accepted);
    const heldAt = await ledger.holds(serviceId, total, 1_800_000);
    const cpu = cpuUntil(heldAt);
    await metering.publishedAll(60_000);
    const problems = await metering.verify(serviceId, warm.accepted + tally.accepted);
    if (warm.accepted !== warm.sent || tally.accepted !== tally.sent)
      problems.push(
        `metering accepted ${warm.accepted + tally.accepted} of ${warm.sent + tally.sent} distinct events`,
      );
    if (problems.length > 0) throw new Error(`verification failed:\n  ${problems.join('\n  ')}`);
    const announcements = (await metering.outboxRows()) - announcementsBefore;

    const ingestSeconds = (tally.finishedAt - tally.startedAt) / 1_000;
    const ledgerSeconds = (heldAt - tally.startedAt) / 1_000;
    const ingestEventsPerSecond = tally.accepted / ingestSeconds;
    const ledgerEventsPerSecond = tally.accepted / ledgerSeconds;
    const ratio = ledgerEventsPerSecond / ingestEventsPerSecond;
    console.log(
      `pipeline benchmark: gateway → metering → outbox → Kafka → ledger projection, node ${process.version}`,
    );
    console.log(`${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the run`);
    console.log(
      `${CONNECTIONS} connections × ${seconds} s, batches of ${count(BATCH)} events, one per subscriber of ` +
        `${count(SUBSCRIBERS)}, quantity 1, ${METERS.length} meters`,
    );
    console.log(
      `ingest: ${count(tally.accepted)} events accepted in ${ingestSeconds.toFixed(1)} s = ${count(ingestEventsPerSecond)}/s ` +
        `(${count(tally.batches)} batches, ${tally.rateLimited} answers 429 sent again)`,
    );
    console.log(
      `ledger: all of them held ${(ledgerSeconds - ingestSeconds).toFixed(2)} s after the last answer, ` +
        `${ledgerSeconds.toFixed(1)} s from the first request = ${count(ledgerEventsPerSecond)}/s; ratio ${ratio.toFixed(3)}`,
    );
    console.log(
      `${count(announcements)} UsageRecorded published (${(tally.accepted / Math.max(announcements, 1)).toFixed(0)} events each)`,
    );
    console.log(`CPU % of one core, first request → ledger holds all: ${cpuSummary(cpu)}`);
    console.log(
      `targets: ingest ≥ ${count(TARGET_INGEST)}/s ${ingestEventsPerSecond >= TARGET_INGEST ? 'met' : 'NOT met'}, ` +
        `ratio ≥ ${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
    );
    console.log(
      'verified: metering stored, aggregated and announced each event once; the ledger holds exactly them',
    );
    if (asJson)
      console.log(
        JSON.stringify({
          bench: 'pipeline',
          ingestEventsPerSecond: Math.round(ingestEventsPerSecond),
          ledgerEventsPerSecond: Math.round(ledgerEventsPerSecond),
          ratio: Math.round(ratio * 1_000) / 1_000,
        }),
      );
    return 0;
  } catch (error) {
    log(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
    if (asJson) console.log(JSON.stringify({ bench: 'pipeline', ok: false, error: String(error) }));
    return 1;
  } finally {
    await ledger.close();
    await metering.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
