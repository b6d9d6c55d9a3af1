import { SharedError } from '../errors/shared-errors.js';
import { UUID_PATTERN } from './uuid-param.pipe.js';
import { z } from 'zod';

/** `?limit=&cursor=`: keyset pagination over ids (UUIDv7, so also creation order). */
export const pageQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be at least 1' })
    .max(200, { error: 'must be at most 200' })
    .default(50),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.output<typeof pageQuerySchema>;

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export const encodeCursor = (afterId: string) => Buffer.from(afterId, 'utf8').toString('base64url');

/** The id the cursor points after; a cursor this API did not make is a 400 on `cursor`. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID_PATTERN.test(id))
    throw SharedError.invalid('invalid_cursor', 'is not a cursor this API returned', 'cursor');
  return id;
}

/** Builds a page from `limit + 1` rows fetched in id order. */
export function pageOf<Row extends { id: string }, T>(
  rows: readonly Row[],
  limit: number,
  toDto: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(toDto), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
