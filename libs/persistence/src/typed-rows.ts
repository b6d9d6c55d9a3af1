import type pg from 'pg';
import { z } from 'zod';

/** What runs a query: an EntityManager (in its transaction, if any) or a DataSource. */
export interface Queryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/** A pg client as a `Queryable` (a command without Nest runs its statements on one): its statements answer their rows. */
export function clientQueryable(client: pg.ClientBase): Queryable {
  return { query: async (sql, parameters) => (await client.query(sql, parameters)).rows };
}

/** A numeric or bigint column as pg returns it (text) or as the query casts it (`::text`), as a bigint. */
export const bigintText = z
  .string()
  .regex(/^-?\d+$/, { error: 'expected a whole number as text' })
  .transform((text) => BigInt(text));

/** A query whose rows do not have the shape its code expects: a bug or a schema drift, never bad input. */
export class RowShapeError extends Error {
  constructor(
    readonly query: string,
    /** The first bad column, or null when the result is not a list of rows at all. */
    readonly column: string | null,
    problem: string,
  ) {
    super(`${query}: ${column === null ? problem : `column ${column}: ${problem}`}`);
    this.name = 'RowShapeError';
  }
}

/** A statement with the name its errors give and the schema of each row it returns. */
export interface RowQuery<Schema extends z.ZodType> {
  /** `<repository>.<method>`, e.g. `payees.activeAccount`. */
  readonly name: string;
  readonly row: Schema;
  readonly sql: string;
}

/**
 * A query's result parsed with its row schema, or a RowShapeError naming the query and the first bad column.
 * TypeORM answers an UPDATE or DELETE with `[rows, affected count]` and every other statement with the rows; pg
 * returns rows as objects, never as arrays, so the two cannot be confused.
 */
export function parseRows<Schema extends z.ZodType>(
  query: string,
  schema: Schema,
  result: unknown,
): z.output<Schema>[] {
  const rows = isUpdateResult(result) ? result[0] : result;
  if (!Array.isArray(rows)) throw new RowShapeError(query, null, 'the result is not a list of rows');
  return rows.map((row: unknown, index) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    const column = issue?.path.length ? issue.path.map(String).join('.') : null;
    throw new RowShapeError(query, column, `${issue?.message ?? 'does not match'} (row ${index})`);
  });
}

/** Runs one query in the caller's manager (its transaction, if any) and parses its rows. */
export async function queryRows<Schema extends z.ZodType>(
  manager: Queryable,
  query: RowQuery<Schema>,
  params: readonly unknown[],
): Promise<z.output<Schema>[]> {
  return parseRows(query.name, query.row, await manager.query(query.sql, [...params]));
}

/** The one row a query must return (an INSERT or UPDATE … RETURNING of a row known to exist). */
export async function queryOne<Schema extends z.ZodType>(
  manager: Queryable,
  query: RowQuery<Schema>,
  params: readonly unknown[],
): Promise<z.output<Schema>> {
  const rows = await queryRows(manager, query, params);
  const [row] = rows;
  if (rows.length !== 1 || row === undefined)
    throw new RowShapeError(query.name, null, `expected one row, got ${rows.length}`);
  return row;
}

const anyRow = z.object({});

/** Whether a statement returns a row at all (`SELECT 1 FROM … WHERE …`, `INSERT … ON CONFLICT DO NOTHING RETURNING 1`). */
export async function queryExists(
  manager: Queryable,
  query: { readonly name: string; readonly sql: string },
  params: readonly unknown[],
): Promise<boolean> {
  const rows = await queryRows(manager, { ...query, row: anyRow }, params);
  return rows.length > 0;
}

/**
 * How many rows an UPDATE or DELETE without RETURNING changed (TypeORM answers those with
 * `[rows, affected count]`).
 */
export async function queryAffected(
  manager: Queryable,
  name: string,
  sql: string,
  params: readonly unknown[],
): Promise<number> {
  const result = await manager.query(sql, [...params]);
  if (!isUpdateResult(result))
    throw new RowShapeError(name, null, 'the result is not [rows, affected count]');
  return result[1];
}

function isUpdateResult(result: unknown): result is [unknown[], number] {
  return (
    Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
  );
}
