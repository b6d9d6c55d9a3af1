import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { bigintText, parseRows, queryAffected, queryExists, queryOne, RowShapeError } from './typed-rows.js';

const holdRow = z
  .object({ id: z.string(), amount: bigintText, placed_at: z.date() })
  .transform((row) => ({ id: row.id, amountMinor: row.amount, placedAt: row.placed_at }));

const placedAt = new Date('2026-12-01T10:00:00Z');

function refusal(run: () => unknown): RowShapeError {
  try {
    run();
  } catch (error) {
    if (error instanceof RowShapeError) return error;
    throw error;
  }
  throw new Error('the rows were accepted');
}

describe('rows parsed at the repository boundary', () => {
  it('parses each row into its domain shape: numeric text to bigint, timestamps kept as dates', () => {
    expect(parseRows('holds.active', holdRow, [{ id: 'h1', amount: '-2500', placed_at: placedAt }])).toEqual([
      { id: 'h1', amountMinor: -2500n, placedAt },
    ]);
  });

  it('takes the rows of an UPDATE … RETURNING, which TypeORM answers as [rows, affected count]', () => {
    expect(
      parseRows('holds.release', holdRow, [[{ id: 'h1', amount: '1', placed_at: placedAt }], 1]),
    ).toEqual([{ id: 'h1', amountMinor: 1n, placedAt }]);
    expect(parseRows('holds.release', holdRow, [[], 0])).toEqual([]);
  });

  it('refuses a row missing a column, naming the query and the column', () => {
    const error = refusal(() => parseRows('holds.active', holdRow, [{ id: 'h1', amount: '1' }]));
    expect(error.query).toBe('holds.active');
    expect(error.column).toBe('placed_at');
    expect(error.message).toMatch(/^holds\.active: column placed_at: .*expected date.*\(row 0\)$/);
  });

  it('refuses a column of the wrong type, naming the query, the column and the row', () => {
    const rows = [
      { id: 'h1', amount: '1', placed_at: placedAt },
      { id: 'h2', amount: 25, placed_at: placedAt },
    ];
    const error = refusal(() => parseRows('holds.active', holdRow, rows));
    expect(error.column).toBe('amount');
    expect(error.message).toMatch(/^holds\.active: column amount: .*expected string.*\(row 1\)$/);
  });

  it('refuses numeric text that is not a whole number', () => {
    const error = refusal(() =>
      parseRows('holds.active', holdRow, [{ id: 'h1', amount: '12.5', placed_at: placedAt }]),
    );
    expect(error.column).toBe('amount');
  });

  it('refuses a result that is not a list of rows', () => {
    const error = refusal(() => parseRows('holds.active', holdRow, { rows: [] }));
    expect(error.column).toBeNull();
    expect(error.message).toBe('holds.active: the result is not a list of rows');
  });

  it('expects exactly one row where a query must return one', async () => {
    const none = { query: () => Promise.resolve([]) };
    const one = { query: () => Promise.resolve([{ id: 'h1', amount: '1', placed_at: placedAt }]) };
    const query = { name: 'holds.place', row: holdRow, sql: 'INSERT … RETURNING *' };
    await expect(queryOne(none, query, [])).rejects.toThrow('holds.place: expected one row, got 0');
    await expect(queryOne(one, query, [])).resolves.toEqual({ id: 'h1', amountMinor: 1n, placedAt });
  });

  it('says whether a statement returned a row, whatever its columns', async () => {
    const query = { name: 'holds.exists', sql: 'SELECT 1 FROM holds WHERE id = $1' };
    await expect(queryExists({ query: () => Promise.resolve([]) }, query, ['h1'])).resolves.toBe(false);
    await expect(
      queryExists({ query: () => Promise.resolve([{ '?column?': 1 }]) }, query, ['h1']),
    ).resolves.toBe(true);
  });

  it('counts the rows an UPDATE or DELETE changed, and refuses any other answer', async () => {
    const sql = 'DELETE FROM holds WHERE id = $1';
    await expect(
      queryAffected({ query: () => Promise.resolve([[], 2]) }, 'holds.delete', sql, ['h1']),
    ).resolves.toBe(2);
    await expect(
      queryAffected({ query: () => Promise.resolve([]) }, 'holds.delete', sql, ['h1']),
    ).rejects.toThrow('holds.delete: the result is not [rows, affected count]');
  });
});
