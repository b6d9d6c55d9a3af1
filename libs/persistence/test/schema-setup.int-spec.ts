import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { prepareServiceSchema } from '../src/schema-setup.js';

// Service schemas against the real Postgres: many setups of one role at once (replicas booting, test files
// starting the same service) all succeed, and the role gets data access to its schemas and nothing more.

const adminUrl = (JSON.parse(process.env['ONECOMMONS_TEST_STACK'] ?? '{}') as { postgresAdminUrl?: string })
  .postgresAdminUrl;
if (!adminUrl) throw new Error('ONECOMMONS_TEST_STACK is not set: run this through ./dev test integration');

const suffix = randomBytes(4).toString('hex');
const role = `t_setup_${suffix}`;
const schemas = Array.from({ length: 8 }, (_, index) => `t_setup_${suffix}_${index}`);
const runtimeUrl = (() => {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = `pw-${suffix}`;
  return url.toString();
})();

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await asAdmin(async (admin) => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  });
});

describe('preparing service schemas', () => {
  it('creates and updates one role from many setups at once, none failing', async () => {
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.allSettled(
        schemas.map((schema) => asAdmin((admin) => prepareServiceSchema(admin, schema, runtimeUrl))),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    }
  });

  it('gives the runtime role data access to its schema, and no DDL', async () => {
    const [schema] = schemas;
    await asAdmin((admin) => admin.query(`CREATE TABLE ${schema}.notes (id int PRIMARY KEY)`));
    const runtime = new pg.Client({ connectionString: runtimeUrl });
    await runtime.connect();
    try {
      await runtime.query(`INSERT INTO ${schema}.notes VALUES (1)`);
      expect((await runtime.query(`SELECT id FROM ${schema}.notes`)).rows).toEqual([{ id: 1 }]);
      await expect(runtime.query(`CREATE TABLE ${schema}.other (id int)`)).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await runtime.end();
    }
  });
});
