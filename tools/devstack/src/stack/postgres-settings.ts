import pg from 'pg';

/**
 * Settings of a profile's database for a write-heavy workload (ingest: a multi-row insert into a table with a
 * random 16-byte key, an aggregate upsert and outbox rows per request). The machine's PostgreSQL server is shared
 * with other things, so only what a database may set for its own sessions is set here (`ALTER DATABASE … SET`,
 * applied to every new connection); the server-wide settings that would also help (`max_wal_size`,
 * `checkpoint_timeout`) are documented in docs/benchmarks.md for a server of the platform's own.
 */
export const WRITE_HEAVY_DATABASE_SETTINGS: Readonly<Record<string, string>> = {
  // After each checkpoint the first change to an index page writes the whole page to the WAL; the digest key's
  // inserts land on random pages, so right after a checkpoint a 550-event batch wrote ~500 full pages (3.2 MB).
  // lz4 compresses them (2.3–2.7 MB measured) for little CPU.
  wal_compression: 'lz4',
  // Stated, not defaulted: an event is acknowledged only once it is durable, whatever the server's default says
  // (`off` would lose the last acknowledged events on a crash, which exactly-once forbids).
  synchronous_commit: 'on',
};

/** Applies the settings to `database` (needs a superuser: wal_compression is a superuser setting). */
export async function applyDatabaseSettings(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const [name, value] of Object.entries(WRITE_HEAVY_DATABASE_SETTINGS))
      await client.query(
        `ALTER DATABASE ${pg.escapeIdentifier(database)} SET ${name} = ${pg.escapeLiteral(value)}`,
      );
  } finally {
    await client.end();
  }
}
