import pg from 'pg';

/** Secondary indexes taken off tables for a bulk load, and how to build them again. */
export interface DeferredIndexes {
  /** `CREATE INDEX …` statements, as Postgres gave them (schema-qualified). */
  readonly definitions: readonly string[];
}

/**
 * Drops the indexes of `tables` that no statement needs to be correct: neither primary keys, unique indexes
 * (an `ON CONFLICT` needs them) nor indexes behind a constraint. Building them once after a load is cheaper
 * than keeping them up to date row by row during it.
 */
export async function dropSecondaryIndexes(
  admin: pg.ClientBase,
  schema: string,
  tables: readonly string[],
): Promise<DeferredIndexes> {
  const { rows } = await admin.query<{ name: string; definition: string }>(
    `SELECT index.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class index ON index.oid = i.indexrelid
       JOIN pg_class tab ON tab.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tab.relnamespace
      WHERE n.nspname = $1 AND tab.relname = ANY($2::text[])
        AND NOT i.indisunique AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY index.relname`,
    [schema, [...tables]],
  );
  for (const row of rows) {
    await admin.query(`DROP INDEX ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(row.name)}`);
  }
  return { definitions: rows.map((row) => row.definition) };
}

/** Builds the dropped indexes again, in one transaction. */
export async function rebuildIndexes(admin: pg.ClientBase, deferred: DeferredIndexes): Promise<void> {
  if (deferred.definitions.length === 0) return;
  await admin.query('BEGIN');
  try {
    await admin.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const definition of deferred.definitions) await admin.query(definition);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
}
