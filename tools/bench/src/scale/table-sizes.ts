import { performance } from 'node:perf_hooks';
import { type DataSource } from 'typeorm';

/** One table's rows and bytes: its heap (main fork), the table with TOAST and maps, its indexes. */
export interface TableSize {
  readonly table: string;
  readonly rows: number;
  readonly heapBytes: number;
  readonly tableBytes: number;
  readonly indexBytes: number;
}

/** `VACUUM (ANALYZE)` of every table of the schema, one by one (a partitioned one whole); returns each one's milliseconds. */
export async function vacuumSchema(db: DataSource, schema: string): Promise<Map<string, number>> {
  const tables = (await db.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    [schema],
  )) as { name: string }[];
  const took = new Map<string, number>();
  for (const { name } of tables) {
    const started = performance.now();
    await db.query(`VACUUM (ANALYZE) "${schema}"."${name}"`);
    took.set(name, performance.now() - started);
  }
  return took;
}

/**
 * Every table of the schema with its exact row count (the bench's sizes are small enough to count); a partitioned
 * table (metering's usage by period) as the sum of its partitions, under its own name.
 */
export async function tableSizes(db: DataSource, schema: string): Promise<Map<string, TableSize>> {
  const tables = (await db.query(
    `SELECT root.relname AS table, sum(pg_relation_size(c.oid))::float8 AS "heapBytes",
            sum(pg_table_size(c.oid))::float8 AS "tableBytes", sum(pg_indexes_size(c.oid))::float8 AS "indexBytes"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class root ON root.oid = coalesce(pg_partition_root(c.oid), c.oid)
      WHERE n.nspname = $1 AND c.relkind = 'r'
      GROUP BY root.relname ORDER BY root.relname`,
    [schema],
  )) as Omit<TableSize, 'rows'>[];
  const sizes = new Map<string, TableSize>();
  for (const table of tables) {
    const [{ rows } = { rows: 0 }] = (await db.query(
      `SELECT count(*)::float8 AS rows FROM "${schema}"."${table.table}"`,
    )) as { rows: number }[];
    sizes.set(table.table, { ...table, rows });
  }
  return sizes;
}

/** What was added between two measurements of a table (rows and bytes). */
export function grownBy(before: TableSize | undefined, after: TableSize | undefined): TableSize | undefined {
  if (!after) return undefined;
  return {
    table: after.table,
    rows: after.rows - (before?.rows ?? 0),
    heapBytes: after.heapBytes - (before?.heapBytes ?? 0),
    tableBytes: after.tableBytes - (before?.tableBytes ?? 0),
    indexBytes: after.indexBytes - (before?.indexBytes ?? 0),
  };
}
