import pg from 'pg';

/**
 * Switches every table of `schema` between UNLOGGED (written without the write-ahead log: a load that is thrown
 * away on failure needs none) and LOGGED (the table written to the log once, in bulk: durable from then on).
 * A logged table may not reference an unlogged one, nor the reverse: tables are switched in rounds, each one once
 * those it is tied to allow it. Returns how many tables were switched.
 */
export async function switchTables(
  admin: pg.ClientBase,
  schema: string,
  to: 'unlogged' | 'logged',
): Promise<number> {
  const { rows } = await admin.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relpersistence = $2 ORDER BY c.relname`,
    [schema, to === 'unlogged' ? 'p' : 'u'],
  );
  let pending = rows.map((row) => row.name);
  const statement = to === 'unlogged' ? 'SET UNLOGGED' : 'SET LOGGED';
  while (pending.length > 0) {
    const blocked: string[] = [];
    let lastError: unknown;
    for (const table of pending) {
      try {
        await admin.query(
          `ALTER TABLE ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} ${statement}`,
        );
      } catch (error) {
        blocked.push(table);
        lastError = error;
      }
    }
    if (blocked.length === pending.length) throw lastError;
    pending = blocked;
  }
  return rows.length;
}
