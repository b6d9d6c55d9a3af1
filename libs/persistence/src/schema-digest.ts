import { createHash } from 'node:crypto';
import pg from 'pg';

export interface DigestedTable {
  readonly table: string;
  /** Columns that identify a row, for a stable order. */
  readonly key: readonly string[];
  /** Left out of the digest: values that differ between two builds by nature (e.g. when a row was written). */
  readonly volatileColumns?: readonly string[];
}

export interface TableDigest {
  readonly table: string;
  readonly rows: number;
  readonly digest: string;
}

export interface SchemaDigest {
  /** `sha256:<hex>` over every table's digest, in the order given. */
  readonly digest: string;
  readonly tables: readonly TableDigest[];
}

/**
 * `per-table`: each table is read in a REPEATABLE READ snapshot of its own. `caller`: the caller has opened the
 * transaction whose snapshot every table is read in (one consistent view of the whole schema).
 */
export type DigestSnapshot = 'per-table' | 'caller';

const FETCH_SIZE = 5_000;

/**
 * A content digest of tables in a schema: rows in key order, every non-volatile column, as Postgres renders
 * them to JSON. Two schemas with the same rows give the same digest whatever order they were written in.
 */
export async function digestSchema(
  client: pg.ClientBase,
  schema: string,
  tables: readonly DigestedTable[],
  snapshot: DigestSnapshot = 'per-table',
): Promise<SchemaDigest> {
  const digests: TableDigest[] = [];
  for (const table of tables) digests.push(await digestTable(client, schema, table, snapshot));
  const combined = createHash('sha256');
  for (const table of digests) combined.update(`${table.table}\t${table.rows}\t${table.digest}\n`);
  return { digest: `sha256:${combined.digest('hex')}`, tables: digests };
}

async function digestTable(
  client: pg.ClientBase,
  schema: string,
  table: DigestedTable,
  snapshot: DigestSnapshot,
): Promise<TableDigest> {
  const { rows: columnRows } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table.table],
  );
  if (columnRows.length === 0) throw new Error(`table ${schema}.${table.table} does not exist`);
  const volatile = new Set(table.volatileColumns ?? []);
  const columns = columnRows.map((row) => row.column_name).filter((column) => !volatile.has(column));
  const missingKey = table.key.filter((column) => !columns.includes(column));
  if (missingKey.length > 0)
    throw new Error(`${table.table}: key column(s) ${missingKey.join(', ')} not found`);
  const id = pg.escapeIdentifier;
  const select = `SELECT json_build_array(${columns.map(id).join(', ')})::text AS row
    FROM ${id(schema)}.${id(table.table)} ORDER BY ${table.key.map(id).join(', ')}`;
  const hash = createHash('sha256').update(`${columns.join(',')}\n`);
  let count = 0;
  if (snapshot === 'per-table') await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`DECLARE digest_rows NO SCROLL CURSOR FOR ${select}`);
    for (;;) {
      const { rows } = await client.query<{ row: string }>(`FETCH ${FETCH_SIZE} FROM digest_rows`);
      for (const row of rows) hash.update(`${row.row}\n`);
      count += rows.length;
      if (rows.length < FETCH_SIZE) break;
    }
  } finally {
    await client.query(snapshot === 'per-table' ? 'COMMIT' : 'CLOSE digest_rows');
  }
  return { table: table.table, rows: count, digest: `sha256:${hash.digest('hex')}` };
}
