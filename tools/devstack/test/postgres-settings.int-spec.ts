import { describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import pg from 'pg';
import { WRITE_HEAVY_DATABASE_SETTINGS } from '../src/stack/postgres-settings.js';

// `./dev` brought the test stack's database up with the write-heavy settings: every new session has them.
describe('the profile database', () => {
  it('gives every new session the write-heavy settings (wal_compression lz4, synchronous_commit on)', async () => {
    const client = new pg.Client({ connectionString: testStack().postgresAdminUrl });
    await client.connect();
    try {
      for (const [name, value] of Object.entries(WRITE_HEAVY_DATABASE_SETTINGS)) {
        const { rows } = await client.query<{ value: string }>('SELECT current_setting($1) AS value', [name]);
        expect([name, rows[0]?.value]).toEqual([name, value]);
      }
      expect(WRITE_HEAVY_DATABASE_SETTINGS).toMatchObject({
        wal_compression: 'lz4',
        synchronous_commit: 'on',
      });
    } finally {
      await client.end();
    }
  });
});
