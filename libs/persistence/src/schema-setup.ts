import pg from 'pg';
import { databaseNameOf, roleOf, withDatabase } from './database-url.js';

/** Creates the database named in the URL when it does not exist yet (connects to `postgres` to do it). */
export async function ensureDatabase(adminUrl: string): Promise<void> {
  const database = databaseNameOf(adminUrl);
  const client = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      } catch (error) {
        // Another process created it between our check and our CREATE.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Makes a service's schema, owned by the migrating (admin) role, and its runtime role, which gets only
 * what default privileges grant on tables created later: data access, no DDL, nothing in other schemas.
 * A migration can narrow that further (the ledger revokes UPDATE and DELETE on its entries).
 */
export async function prepareServiceSchema(
  admin: pg.Client,
  schema: string,
  runtimeUrl: string,
): Promise<void> {
  const { role, password } = roleOf(runtimeUrl);
  const roleId = pg.escapeIdentifier(role);
  const schemaId = pg.escapeIdentifier(schema);
  const passwordClause = password ? ` PASSWORD ${pg.escapeLiteral(password)}` : '';
  // Roles are cluster-wide and shared by every schema of a service (replicas, tests): two setups creating or
  // altering one role at once fail with "tuple concurrently updated", so they take turns.
  await admin.query('BEGIN');
  try {
    await admin.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`onecommons:role:${role}`]);
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) await admin.query(`CREATE ROLE ${roleId} LOGIN${passwordClause}`);
    else if (password) await admin.query(`ALTER ROLE ${roleId}${passwordClause}`);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schemaId}`);
  await admin.query(`GRANT USAGE ON SCHEMA ${schemaId} TO ${roleId}`);
  await admin.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schemaId} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${roleId}`,
  );
  await admin.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schemaId} GRANT USAGE, SELECT ON SEQUENCES TO ${roleId}`,
  );
}
