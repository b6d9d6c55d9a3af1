import { type UsageReportEvent } from '@onecommons/contracts';
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type UsageBatch } from './usage-batches.js';

const COLUMNS = [
  'source',
  'event_id',
  'subscriber_id',
  'service_id',
  'meter',
  'quantity',
  'period',
  'event_time',
];

/**
 * `bare`: no key and no index (what appending the rows costs at all). `keyed`: the same rows with a 16-byte
 * digest as their unique key, `ON CONFLICT DO NOTHING`, like `usage_events` (what exactly-once storage
 * costs at the least).
 */
export type BaselineKind = 'bare' | 'keyed';

export interface BaselineTally {
  readonly rows: number;
  readonly batches: number;
  readonly latenciesMs: readonly number[];
  readonly seconds: number;
}

const columnsOf = (kind: BaselineKind) => (kind === 'keyed' ? ['event_digest', ...COLUMNS] : COLUMNS);

/** `INSERT ... VALUES ($1, ..., $8), ($9, ...)`: one multi-row statement for a batch of `rows` rows. */
export function multiRowInsert(table: string, rows: number, kind: BaselineKind = 'bare'): string {
  const columns = columnsOf(kind);
  const width = columns.length;
  const tuples = Array.from(
    { length: rows },
    (_, row) => `(${columns.map((_column, column) => `$${row * width + column + 1}`).join(', ')})`,
  );
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
  return kind === 'keyed' ? `${insert} ON CONFLICT (event_digest) DO NOTHING` : insert;
}

/**
 * A 16-byte SHA-256 prefix of the event's identity: a key as wide and as spread as metering's (its exact
 * bytes do not matter to what the baseline measures).
 */
export const baselineKeyOf = (event: UsageReportEvent): Buffer =>
  hash(
    'sha256',
    `${event.data.service}/${event.source.length}:${event.source}${event.id}`,
    'buffer',
  ).subarray(0, 16);

/**
 * The batch's rows, flattened in column order, as metering stores them; keyed, each with its digest first
 * and in digest order (metering inserts in key order too, or two batches sharing a resend could deadlock).
 */
export function baselineParameters(
  batch: UsageBatch,
  kind: BaselineKind = 'bare',
): (string | number | Buffer)[] {
  const values: (string | number | Buffer)[] = [];
  const rows: [Buffer | null, UsageReportEvent][] = batch.events.map((event) => [
    kind === 'keyed' ? baselineKeyOf(event) : null,
    event,
  ]);
  if (kind === 'keyed') rows.sort(([left], [right]) => Buffer.compare(left as Buffer, right as Buffer));
  for (const [key, event] of rows) {
    if (key) values.push(key);
    values.push(
      event.source,
      event.id,
      event.subject,
      event.data.service,
      event.data.meter,
      event.data.quantity,
      event.time.slice(0, 7),
      event.time,
    );
  }
  return values;
}

/**
 * A baseline: the same rows as multi-row INSERTs over as many connections, each inserting a batch in its
 * own statement (autocommit) as metering's transaction would. Stops after `batches` batches.
 */
export async function runInsertBaseline(options: {
  readonly kind: BaselineKind;
  readonly postgresUrl: string;
  readonly connections: number;
  readonly batches: number;
  readonly nextBatch: () => UsageBatch;
}): Promise<BaselineTally> {
  const { kind } = options;
  const table = `ingest_baseline_${kind}_${process.pid}`;
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: options.connections });
  const latenciesMs: number[] = [];
  let rows = 0;
  let started = 0;
  try {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.query(
      `CREATE TABLE ${table} (${kind === 'keyed' ? 'event_digest bytea PRIMARY KEY, ' : ''}
         source text NOT NULL, event_id text NOT NULL, subscriber_id uuid NOT NULL,
         service_id uuid NOT NULL, meter text NOT NULL, quantity bigint NOT NULL, period text NOT NULL,
         event_time timestamptz NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    );
    const startedAt = performance.now();
    const connection = async () => {
      while (started < options.batches) {
        started += 1;
        const batch = options.nextBatch();
        const sentAt = performance.now();
        await pool.query(multiRowInsert(table, batch.events.length, kind), baselineParameters(batch, kind));
        latenciesMs.push(performance.now() - sentAt);
        rows += batch.events.length;
      }
    };
    await Promise.all(Array.from({ length: options.connections }, connection));
    const seconds = (performance.now() - startedAt) / 1_000;
    return { rows, batches: latenciesMs.length, latenciesMs, seconds };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}
