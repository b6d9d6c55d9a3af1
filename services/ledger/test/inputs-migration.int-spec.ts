import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateServiceSchema } from '@onecommons/persistence';
import { schemaQuery, serviceOf, testStack, uniqueSuffix } from '@onecommons/testing';
import pg from 'pg';
import { ledgerService } from '../src/ledger.definition.js';
import { InputsByPeriod1765700000000 } from '../src/migrations/1765700000000-inputs-by-period.js';

/**
 * The inputs-by-period migration on a schema holding a close's inputs from before it: every row kept, in one
 * partition up to their last period, a closed period's rows still frozen, and new periods in their own partitions.
 */
const stack = testStack();
const admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
const schema = `t_ledger_inputs_${uniqueSuffix()}`;
const migrations = ledgerService.migrations as readonly unknown[] as (new () => object)[];
const query = schemaQuery(admin, schema);
const migrate = (list: readonly (new () => object)[]) =>
  migrateServiceSchema({
    adminUrl: stack.postgresAdminUrl,
    runtimeUrl: serviceOf(stack, 'ledger').databaseUrl,
    schema,
    migrations: [...list],
  });

const subscriber = randomUUID();
const service = randomUUID();

beforeAll(async () => {
  const index = migrations.indexOf(InputsByPeriod1765700000000);
  await migrate(migrations.slice(0, index));
  for (const period of ['2026-09', '2026-10']) {
    await query(
      `INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity) VALUES ($1, $2, $3, 'requests', 7)`,
      [period, subscriber, service],
    );
    await query(`INSERT INTO subscriber_tokens (period, subscriber_id, tokens) VALUES ($1, $2, 1000)`, [
      period,
      subscriber,
    ]);
  }
  await query(
    `INSERT INTO period_closes (period, total, merkle_root, input, input_rows, allocation, forced)
     VALUES ('2026-09', 0, 'root', '{}', 'frozen', '{}', false)`,
  );
  expect(await migrate(migrations)).toEqual(migrations.slice(index).map((migration) => migration.name));
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await admin.end();
});

const partitionOf = async (table: string, period: string) =>
  (
    await query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM ${table} WHERE period = $1 AND subscriber_id = $2`,
      [period, subscriber],
    )
  ).map((row) => row.partition);

describe('a close’s inputs from before partitioning', () => {
  it('are kept, as one partition up to their last period', async () => {
    for (const table of ['usage_quantities', 'subscriber_tokens'])
      for (const period of ['2026-09', '2026-10'])
        expect(await partitionOf(table, period)).toEqual([`${table}_before_partitioning`]);
    const [bound] = await query<{ bound: string }>(
      `SELECT pg_get_expr(relpartbound, oid) AS bound FROM pg_class WHERE oid = 'usage_quantities_before_partitioning'::regclass`,
    );
    expect(bound?.bound).toBe("FOR VALUES FROM (MINVALUE) TO ('2026-11')");
  });

  it('stay frozen for a closed period, and change for an open one', async () => {
    await expect(
      query(`UPDATE usage_quantities SET quantity = 8 WHERE period = '2026-09' AND subscriber_id = $1`, [
        subscriber,
      ]),
    ).rejects.toThrow(/are final/);
    await query(`UPDATE usage_quantities SET quantity = 8 WHERE period = '2026-10' AND subscriber_id = $1`, [
      subscriber,
    ]);
  });

  it('leave later periods to their own partitions, or the default one', async () => {
    await query(`SELECT ensure_input_partitions(ARRAY['2026-12'])`);
    for (const period of ['2026-12', '2027-05'])
      await query(
        `INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity) VALUES ($1, $2, $3, 'requests', 1)`,
        [period, subscriber, service],
      );
    expect(await partitionOf('usage_quantities', '2026-12')).toEqual(['usage_quantities_p2026_12']);
    expect(await partitionOf('usage_quantities', '2027-05')).toEqual(['usage_quantities_default']);
  });
});
