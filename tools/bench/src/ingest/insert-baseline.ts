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

export interface BaselineTally {
  readonly rows: number;
  readonly batches: number;
  readonly latenciesMs: readonly number[];
  readonly seconds: number;
}

/** `INSERT ... VALUES ($1, ..., $8), ($9, ...)`: one multi-row statement for a batch of `rows` rows. */
export function multiRowInsert(table: string, rows: number): string {
  const width = COLUMNS.length;
  const tuples = Array.from(
    { length: rows },
    (_, row) => `(${COLUMNS.map((_column, column) => `$${row * width + column + 1}`).join(', ')})`,
  );
  return `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

/** The batch's rows, flattened in column order, as metering stores them. */
export function baselineParameters(batch: UsageBatch): (string | number)[] {
  const values: (string | number)[] = [];
  for (const event of batch.events)
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
  return values;
}

/**
 * The bare baseline: the same rows as plain multi-row INSERTs into a table with no key and no index, over
 * as many connections, each inserting a batch in its own statement (autocommit) as metering's transaction
 * would. Stops after `batches` batches.
 */
export async function runInsertBaseline(options: {
  readonly postgresUrl: string;
  readonly connections: number;
  readonly batches: number;
  readonly nextBatch: () => UsageBatch;
}): Promise<BaselineTally> {
  const table = `ingest_baseline_${process.pid}`;
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: options.connections });
  const latenciesMs: number[] = [];
  let rows = 0;
  let started = 0;
  try {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.query(
      `CREATE TABLE ${table} (source text NOT NULL, event_id text NOT NULL, subscriber_id uuid NOT NULL,
         service_id uuid NOT NULL, meter text NOT NULL, quantity bigint NOT NULL, period text NOT NULL,
         event_time timestamptz NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    );
    const startedAt = performance.now();
    const connection = async () => {
      while (started < options.batches) {
        started += 1;
        const batch = options.nextBatch();
        const sentAt = performance.now();
        await pool.query(multiRowInsert(table, batch.events.length), baselineParameters(batch));
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
