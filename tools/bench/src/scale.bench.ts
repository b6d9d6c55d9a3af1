import { dlqTopicOf, TOPICS } from '@onecommons/contracts';
import { kafkaConfigShape, redeliveryHorizonMs, topicLifetimeOf } from '@onecommons/kafka';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
// The bench migrates the services' own schemas; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { ledgerService } from '@onecommons/ledger/dist/src/ledger.definition.js';
import { meteringService } from '@onecommons/metering/dist/src/metering.definition.js';
/* eslint-enable onecommons/module-boundaries */
import { populateLedger, ROWS_PER_SUBSCRIBER } from './close-population.js';
import { closePeriod, populatePaymentMints } from './scale/ledger-month.js';
import { populateMetering, populateProcessedEvents } from './scale/metering-population.js';
import {
  monthCounts,
  type MonthShape,
  project,
  type Projection,
  type RetentionSettings,
  type RowBytes,
  rowBytes,
  splitOutbox,
  TABLES,
} from './scale/scale-model.js';
import { grownBy, tableSizes, type TableSize, vacuumSchema } from './scale/table-sizes.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench scale [--json] [--subscribers N] [--events-per-subscriber M] [--events-per-request R]
 * [--correction-share S] [--closed-periods-attached K] [--keep]`: how big metering's and the ledger's tables get.
 * Migrates fresh metering and ledger schemas with the services' own migrations, writes one month at a small size
 * as the services write it (metering: scale/metering-population.ts; the ledger: the close bench's population, the
 * consumers' processed-event records, per-payment mints in a schema of their own, then a real period close), runs
 * VACUUM ANALYZE, measures each table's bytes per row (table and indexes apart) and extrapolates them linearly to
 * 10M subscribers and 1B usage events a month, then projects what is held after 12 and 36 months with and
 * without each retention setting. Sizes are deterministic; times depend on the machine.
 * With `--json` the last line is `{"bench":"scale",…}`.
 */

const PERIOD = '2026-06';
const CURRENCY = 'EUR';
const TARGET = { subscribers: 10_000_000, events: 1_000_000_000 } as const;
const HORIZONS = [12, 36] as const;
/** Kafka's own `segment.ms` default (7 days): the platform sets no other, so the pruner reads this one. */
const KAFKA_DEFAULT_SEGMENT_MS = 7 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;
const GB = 1e9;

const log = (message: string) => console.error(`[bench] ${message}`);

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a number`);
  return value;
}

/** What libs/kafka's pruner keeps a processed-event record for, at the platform's default topic settings. */
function processedEventsDays(): number {
  const retentionHours = kafkaConfigShape.KAFKA_TOPIC_RETENTION_HOURS.parse(undefined);
  const margin = kafkaConfigShape.PROCESSED_EVENTS_PRUNE_MARGIN_HOURS.parse(undefined);
  const topic = TOPICS.meteringUsage.name;
  const entries = new Map([
    ['retention.ms', String(retentionHours * HOUR_MS)],
    ['segment.ms', String(KAFKA_DEFAULT_SEGMENT_MS)],
  ]);
  const lifetimes = new Map(
    [topic, dlqTopicOf(topic)].flatMap((name) => {
      const lifetime = topicLifetimeOf(name, entries);
      return lifetime ? [[name, lifetime] as const] : [];
    }),
  );
  const horizonMs = redeliveryHorizonMs(topic, lifetimes);
  if (typeof horizonMs !== 'number') throw new Error('the usage topic keeps its messages forever');
  return (horizonMs / HOUR_MS + margin) / 24;
}

const dataSourceFor = (adminUrl: string, schema: string) =>
  new DataSource(
    serviceDataSourceOptions({ url: adminUrl, schema, poolSize: 2, applicationName: `${schema}:scale` }),
  );

interface Measured {
  readonly name: string;
  readonly size: TableSize;
}

interface Row {
  readonly name: string;
  readonly driver: string;
  readonly measuredRows: number;
  readonly perRow: RowBytes;
  readonly projection: Projection;
  readonly retention: string;
}

async function main(): Promise<void> {
  const subscribers = option('--subscribers', 20_000);
  const eventsPerSubscriber = option('--events-per-subscriber', 100);
  const eventsPerRequest = option('--events-per-request', 1_000);
  const correctionShare = option('--correction-share', 0.001);
  // Metering's default correction window (METERING_CORRECTION_WINDOW_MONTHS): closed months kept attached.
  const closedPeriodsAttached = option('--closed-periods-attached', 3);
  const adminUrl = testStack().postgresAdminUrl;
  const loadBefore = loadavg()[0] ?? 0;
  const suffix = uniqueSuffix();
  const schemas = {
    metering: `bench_scale_metering_${suffix}`,
    ledger: `bench_scale_ledger_${suffix}`,
    mints: `bench_scale_mints_${suffix}`,
  };
  const started = performance.now();
  for (const [schema, migrations] of [
    [schemas.metering, meteringService.migrations ?? []],
    [schemas.ledger, ledgerService.migrations ?? []],
    [schemas.mints, ledgerService.migrations ?? []],
  ] as const) {
    await migrateServiceSchema({ adminUrl, runtimeUrl: adminUrl, schema, migrations });
  }
  const metering = dataSourceFor(adminUrl, schemas.metering);
  const ledger = dataSourceFor(adminUrl, schemas.ledger);
  const mints = dataSourceFor(adminUrl, schemas.mints);
  await Promise.all([metering.initialize(), ledger.initialize(), mints.initialize()]);
  try {
    // What the empty tables already take (an index's metapage): not the month's.
    const empty = {
      metering: await tableSizes(metering, schemas.metering),
      ledger: await tableSizes(ledger, schemas.ledger),
      mints: await tableSizes(mints, schemas.mints),
    };
    log(`${subscribers.toLocaleString('en-US')} subscribers: the ledger's month (close bench population)`);
    await populateLedger(ledger, { period: PERIOD, subscribers, currency: CURRENCY }, log);
    log('metering: usage events');
    const written = await populateMetering(
      metering,
      { period: PERIOD, subscribers, eventsPerSubscriber, eventsPerRequest, correctionShare },
      log,
    );
    log('processed-event records of both consumers; per-payment mints');
    for (const [db, schema, consumerGroup, perSubscriber] of [
      [metering, schemas.metering, 'metering', 'renewal'],
      [ledger, schemas.ledger, 'ledger', 'payment'],
    ] as const) {
      await populateProcessedEvents(db, {
        schema,
        meteringSchema: schemas.metering,
        consumerGroup,
        perSubscriber,
        subscribers,
      });
    }
    await populatePaymentMints(mints, { period: PERIOD, subscribers, currency: CURRENCY });
    await checkSameUsageKeys(ledger, schemas);
    const populateMs = performance.now() - started;

    log('VACUUM ANALYZE; measuring; closing the period');
    const vacuumMs = await vacuumSchema(metering, schemas.metering);
    await vacuumSchema(ledger, schemas.mints);
    await vacuumSchema(ledger, schemas.ledger);
    const beforeClose = await tableSizes(ledger, schemas.ledger);
    const escrowsBefore = await escrowCount(ledger);
    const closeMs = await closePeriod(ledger, PERIOD, CURRENCY);
    await vacuumSchema(ledger, schemas.ledger);
    const afterClose = await tableSizes(ledger, schemas.ledger);
    const escrowsAfter = await escrowCount(ledger);
    if (escrowsAfter !== 0) throw new Error(`${escrowsAfter} escrow balances are left after the close`);
    const meteringSizes = await tableSizes(metering, schemas.metering);
    const mintSizes = await tableSizes(mints, schemas.mints);
    const month = (
      sizes: ReadonlyMap<string, TableSize>,
      before: ReadonlyMap<string, TableSize>,
      table: string,
    ) => required(grownBy(before.get(table), sizes.get(table)));

    const closeEntries = required(
      grownBy(beforeClose.get('ledger_entries'), afterClose.get('ledger_entries')),
    );
    const closeAccounts = closeEntries.rows - subscribers;
    const measured: Measured[] = [
      ...['usage_events', 'usage_corrections', 'usage_aggregates'].map((table) => ({
        name: `metering.${table}`,
        size: month(meteringSizes, empty.metering, table),
      })),
      ...outboxGroups(
        month(meteringSizes, empty.metering, 'outbox'),
        await outboxPayloads(metering, written),
        {
          eventsPerRequest,
          linesPerAnnouncement: written.linesPerAnnouncement,
        },
      ),
      ...['processed_events', 'subscribers'].map((table) => ({
        name: `metering.${table}`,
        size: month(meteringSizes, empty.metering, table),
      })),
      ...['usage_quantities', 'subscriber_tokens', 'processed_events', 'subscribers'].map((table) => ({
        name: `ledger.${table}`,
        size: month(afterClose, empty.ledger, table),
      })),
      {
        name: 'ledger.ledger_transactions [mints]',
        size: month(mintSizes, empty.mints, 'ledger_transactions'),
      },
      { name: 'ledger.ledger_entries [mints]', size: month(mintSizes, empty.mints, 'ledger_entries') },
      { name: 'ledger.ledger_entries [close]', size: closeEntries },
      { name: 'ledger.ledger_balances [escrows]', size: month(mintSizes, empty.mints, 'ledger_balances') },
    ];
    const settings: RetentionSettings = {
      closedPeriodsAttached,
      processedEventsDays: processedEventsDays(),
      outboxDays: kafkaConfigShape.OUTBOX_RETENTION_HOURS.parse(undefined) / 24,
    };
    const shape: MonthShape = {
      ...TARGET,
      eventsPerRequest,
      correctionShare,
      usageRowsPerSubscriber: ROWS_PER_SUBSCRIBER,
      closeAccounts,
    };
    const counts = monthCounts(shape);
    const rows: Row[] = TABLES.map((spec) => {
      const size = required(measured.find((entry) => entry.name === spec.name)).size;
      const perRow = rowBytes(size);
      return {
        name: spec.name,
        driver: spec.driver,
        measuredRows: size.rows,
        perRow,
        projection: project(perRow, spec.rowsPerMonth(counts), spec.retention, settings, HORIZONS),
        retention: spec.retention,
      };
    });

    const [{ server_version: postgres } = { server_version: '?' }] = (await metering.query(
      'SHOW server_version',
    )) as { server_version: string }[];
    console.log(`PostgreSQL ${postgres}, ${new Date().toISOString().slice(0, 10)}`);
    printMeasured(measured, { subscribers, eventsPerSubscriber, loadBefore, populateMs, closeMs, written });
    printProjection(rows, settings, counts);
    printBalances(beforeClose, afterClose, escrowsBefore, escrowsAfter);
    printOtherTables(
      [
        ...[...meteringSizes.values()].map((size) => ({ name: `metering.${size.table}`, size })),
        ...[...afterClose.values()].map((size) => ({ name: `ledger.${size.table}`, size })),
      ],
      measured,
    );
    const vacuumed = required(meteringSizes.get('usage_events'));
    const vacuumSeconds = (vacuumMs.get('usage_events') ?? 0) / 1000;
    console.log(
      `first VACUUM (ANALYZE) of usage_events: ${vacuumSeconds.toFixed(1)} s for ` +
        `${((vacuumed.tableBytes + vacuumed.indexBytes) / 1e6).toFixed(0)} MB ` +
        `(${((vacuumed.tableBytes + vacuumed.indexBytes) / 1e6 / Math.max(vacuumSeconds, 0.001)).toFixed(0)} MB/s)`,
    );
    if (process.argv.includes('--json')) {
      console.log(
        JSON.stringify({
          bench: 'scale',
          subscribers,
          eventsPerSubscriber,
          eventsPerRequest,
          correctionShare,
          linesPerAnnouncement: written.linesPerAnnouncement,
          closeAccounts,
          settings,
          target: counts,
          tables: rows.map((row) => ({
            name: row.name,
            measuredRows: row.measuredRows,
            tableBytesPerRow: round(row.perRow.table),
            indexBytesPerRow: round(row.perRow.index),
            rowsPerMonth: row.projection.rowsPerMonth,
            gbPerMonth: round(row.projection.bytesPerMonth / GB),
            held: row.projection.held.map((held) => ({
              months: held.months,
              withoutGb: round(held.without / GB),
              withGb: round(held.with / GB),
            })),
          })),
        }),
      );
    }
  } finally {
    if (!process.argv.includes('--keep'))
      for (const schema of Object.values(schemas))
        await metering.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await Promise.all([metering.destroy(), ledger.destroy(), mints.destroy()]);
  }
}

/** The stored (compressed) payload bytes of the requests' announcements and of the corrections' events. */
async function outboxPayloads(
  db: DataSource,
  written: { lastRequestOutboxId: number },
): Promise<{ requests: OutboxPayloads; corrections: OutboxPayloads }> {
  const rows = (await db.query(
    `SELECT id <= $1 AS request, count(*)::float8 AS rows, coalesce(sum(pg_column_size(payload)), 0)::float8 AS bytes
       FROM outbox GROUP BY 1`,
    [written.lastRequestOutboxId],
  )) as { request: boolean; rows: number; bytes: number }[];
  const of = (request: boolean) => rows.find((row) => row.request === request) ?? { rows: 0, bytes: 0 };
  return { requests: of(true), corrections: of(false) };
}

interface OutboxPayloads {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The outbox as its two kinds of rows. A request's payload is scaled from the bench's usage lines per request to
 * the target's (one line per event: at 10M subscribers a request's 1,000 events are of distinct pairs).
 */
function outboxGroups(
  outbox: TableSize,
  payloads: { requests: OutboxPayloads; corrections: OutboxPayloads },
  lines: { eventsPerRequest: number; linesPerAnnouncement: number },
): Measured[] {
  const payloadScale =
    lines.linesPerAnnouncement > 0 ? lines.eventsPerRequest / lines.linesPerAnnouncement : 1;
  const [requests, corrections] = splitOutbox(outbox, [
    { rows: payloads.requests.rows, payloadBytes: payloads.requests.bytes, payloadScale },
    { rows: payloads.corrections.rows, payloadBytes: payloads.corrections.bytes, payloadScale: 1 },
  ]);
  // Small payloads (a correction's) stay in the heap, large ones go to TOAST: the heap is not split (-1).
  const sized = (size: { rows: number; tableBytes: number; indexBytes: number } | undefined): TableSize => ({
    table: 'outbox',
    heapBytes: -1,
    ...required(size),
  });
  log(
    `outbox: ${count(outbox.rows)} rows, ${(outbox.tableBytes / 1e6).toFixed(1)} MB table; request payloads ` +
      `${(payloads.requests.bytes / Math.max(payloads.requests.rows, 1)).toFixed(0)} B stored for ` +
      `${lines.linesPerAnnouncement.toFixed(0)} lines, scaled ×${payloadScale.toFixed(2)} to ${lines.eventsPerRequest}`,
  );
  return [
    { name: 'metering.outbox [requests]', size: sized(requests) },
    { name: 'metering.outbox [corrections]', size: sized(corrections) },
  ];
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a measured table is missing');
  return value;
}

const round = (value: number) => Math.round(value * 10) / 10;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const gb = (bytes: number) => (bytes / GB).toFixed(bytes >= 10 * GB ? 0 : 1);

async function escrowCount(db: DataSource): Promise<number> {
  const [{ escrows } = { escrows: -1 }] = (await db.query(
    `SELECT count(*)::int AS escrows FROM ledger_balances WHERE account LIKE 'subscriber:%'`,
  )) as { escrows: number }[];
  return escrows;
}

/** Metering's aggregates and the ledger's usage rows name the same (period, subscriber, service, meter). */
async function checkSameUsageKeys(
  db: DataSource,
  schemas: { metering: string; ledger: string },
): Promise<void> {
  const [{ different } = { different: -1 }] = (await db.query(
    `SELECT count(*)::int AS different
       FROM "${schemas.metering}".usage_aggregates a
       FULL JOIN "${schemas.ledger}".usage_quantities q USING (period, subscriber_id, service_id, meter)
      WHERE a.period IS NULL OR q.period IS NULL`,
  )) as { different: number }[];
  if (different !== 0) throw new Error(`${different} usage keys are in only one of metering and the ledger`);
}

function printMeasured(
  measured: readonly Measured[],
  run: {
    subscribers: number;
    eventsPerSubscriber: number;
    loadBefore: number;
    populateMs: number;
    closeMs: number;
    written: { events: number; corrections: number; requests: number; linesPerAnnouncement: number };
  },
): void {
  console.log(
    `scale benchmark: one month at ${count(run.subscribers)} subscribers × ${count(run.eventsPerSubscriber)} usage ` +
      `events (${count(run.written.events)} events, ${count(run.written.corrections)} corrections, ` +
      `${count(run.written.requests)} requests of ${run.written.linesPerAnnouncement.toFixed(0)} usage lines on average)`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, 1-minute load ` +
      `${run.loadBefore.toFixed(2)} before; populated in ${(run.populateMs / 1000).toFixed(0)} s, ` +
      `close ${(run.closeMs / 1000).toFixed(1)} s`,
  );
  const table = formatTable(
    ['table', 'rows', 'heap B/row', 'table B/row', 'index B/row', 'total B/row'],
    measured.map(({ name, size }) => {
      const perRow = rowBytes(size);
      return [
        name,
        count(size.rows),
        size.heapBytes < 0 ? '-' : (size.rows > 0 ? size.heapBytes / size.rows : 0).toFixed(1),
        perRow.table.toFixed(1),
        perRow.index.toFixed(1),
        (perRow.table + perRow.index).toFixed(1),
      ];
    }),
  );
  for (const line of table) console.log(line);
}

function printProjection(
  rows: readonly Row[],
  settings: RetentionSettings,
  counts: ReturnType<typeof monthCounts>,
): void {
  console.log('');
  console.log(
    `at ${count(counts.subscribers)} subscribers and ${count(counts.events)} usage events a month ` +
      `(${count(counts.requests)} requests, ${count(counts.corrections)} corrections, ${count(counts.usageRows)} ` +
      `usage rows); GB = 10^9 bytes. Held after 12/36 months without / with the table's setting: period = ` +
      `partitions by period, ${settings.closedPeriodsAttached} closed kept attached; kafka-horizon = processed events ` +
      `pruned after ${settings.processedEventsDays.toFixed(1)} days; outbox = sent rows pruned after ` +
      `${settings.outboxDays.toFixed(0)} days; escrow = emptied escrows deleted by the close; stock = one row per subscriber`,
  );
  const table = formatTable(
    [
      'table',
      'rows follow',
      'rows/month',
      'GB/month',
      '12 mo without',
      '12 mo with',
      '36 mo without',
      '36 mo with',
      'setting',
    ],
    rows.map((row) => [
      row.name,
      row.driver,
      count(row.projection.rowsPerMonth),
      gb(row.projection.bytesPerMonth),
      ...row.projection.held.flatMap((held) => [gb(held.without), gb(held.with)]),
      row.retention,
    ]),
  );
  for (const line of table) console.log(line);
  const total = (pick: (row: Row, horizon: number) => number) =>
    HORIZONS.map((_, horizon) => gb(rows.reduce((sum, row) => sum + pick(row, horizon), 0)));
  const held = (row: Row, horizon: number) => row.projection.held[horizon] ?? { without: 0, with: 0 };
  const todays = new Set(['outbox', 'kafka-horizon', 'escrow']);
  console.log(
    `total GB/month ${gb(rows.reduce((sum, row) => sum + row.projection.bytesPerMonth, 0))}; held after ` +
      `${HORIZONS.join('/')} months: nothing pruned ${total((row, h) => held(row, h).without).join('/')}, ` +
      `today's defaults (outbox, processed events, escrows) ` +
      `${total((row, h) => (todays.has(row.retention) ? held(row, h).with : held(row, h).without)).join('/')}, ` +
      `and period partitions detached ${total((row, h) => held(row, h).with).join('/')}`,
  );
}

function printBalances(
  before: ReadonlyMap<string, TableSize>,
  after: ReadonlyMap<string, TableSize>,
  escrowsBefore: number,
  escrowsAfter: number,
): void {
  const balances = (sizes: ReadonlyMap<string, TableSize>) => {
    const size = sizes.get('ledger_balances');
    return size
      ? `${count(size.rows)} rows, ${((size.tableBytes + size.indexBytes) / 1e6).toFixed(1)} MB`
      : '-';
  };
  console.log(
    `ledger_balances before the close: ${balances(before)} (${count(escrowsBefore)} subscriber escrows); after: ` +
      `${balances(after)} (${count(escrowsAfter)} escrows; the space stays in the files for next month's escrows)`,
  );
}

/** The tables not projected above, as measured (a few rows a month or a fixed catalog). */
function printOtherTables(all: readonly Measured[], projected: readonly Measured[]): void {
  // The ledger's journal tables hold the close bench's batched mints here; shown apart above.
  const shown = new Set([
    ...projected.map((entry) => entry.name),
    'metering.outbox',
    'ledger.ledger_transactions',
    'ledger.ledger_entries',
    'ledger.ledger_balances',
  ]);
  const others = all.filter((entry) => !shown.has(entry.name) && entry.size.rows > 0);
  console.log(
    'other tables with rows (not projected): ' +
      others
        .map(
          ({ name, size }) =>
            `${name} ${count(size.rows)} rows ${((size.tableBytes + size.indexBytes) / 1e3).toFixed(0)} kB`,
        )
        .join('; '),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
