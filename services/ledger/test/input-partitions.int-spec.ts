import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf, periodsFromNow, shiftPeriod } from '@onecommons/contracts';
import { startService, type RunningService } from '@onecommons/testing';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { NO_SCHEDULED_CLOSES } from './ledger-events.js';

// A close's inputs by period (#26): each period's usage and tokens in their own partition, so a close reads its
// period only, whatever the months kept; a period without one (here an old one) in the default partition.

let ledger: RunningService<LedgerConfig>;
const partitionOf = (table: string, period: string) => `${table}_p${period.replace('-', '_')}`;

beforeAll(async () => {
  ledger = await startService(ledgerService, { env: { ...NO_SCHEDULED_CLOSES } });
});

afterAll(async () => {
  await ledger.stop();
});

const partitionsOf = async (table: string) =>
  (
    await ledger.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    )
  ).map((row) => row.name);

/** The tables a query on the period reads, as Postgres plans it. */
const tablesRead = async (table: string, period: string) => {
  const [plan] = await ledger.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (FORMAT JSON) SELECT * FROM ${table} WHERE period = '${period}'`,
  );
  return [...JSON.stringify(plan?.['QUERY PLAN']).matchAll(/"Relation Name":"([a-z_0-9]+)"/g)].map(
    (match) => match[1],
  );
};

describe('a close’s inputs', () => {
  it('have partitions for the current period and the next two from boot, and a default one', async () => {
    for (const table of ['usage_quantities', 'subscriber_tokens'])
      expect(await partitionsOf(table)).toEqual(
        [
          ...periodsFromNow(new Date(), 2).map((period) => partitionOf(table, period)),
          `${table}_default`,
        ].sort(),
      );
  });

  it('are read one period at a time: a close of this period reads its partition only', async () => {
    const subscriber = randomUUID();
    const current = periodOf(new Date());
    for (const period of [current, '2019-01'])
      await ledger.query(
        `INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity) VALUES ($1, $2, $2, 'requests', 5)`,
        [period, subscriber],
      );
    const stored = await ledger.query<{ period: string; partition: string }>(
      `SELECT period, tableoid::regclass::text AS partition FROM usage_quantities WHERE subscriber_id = $1 ORDER BY 1`,
      [subscriber],
    );
    expect(stored).toEqual([
      { period: '2019-01', partition: 'usage_quantities_default' },
      { period: current, partition: partitionOf('usage_quantities', current) },
    ]);
    expect(await tablesRead('usage_quantities', current)).toEqual([partitionOf('usage_quantities', current)]);
    expect(await tablesRead('subscriber_tokens', current)).toEqual([
      partitionOf('subscriber_tokens', current),
    ]);
  });

  it('get partitions only through the migration’s function: the service’s role runs no DDL', async () => {
    const runtime = ledger.app.get(DataSource);
    // A period no other file's events name: the service consumes the shared topics, and a mint of the period in
    // its default partition would (rightly) keep that period's partition from being made.
    const farAhead = `${3000 + randomInt(7000)}-07`;
    const [from, to] = [farAhead, shiftPeriod(farAhead, 1)];
    await expect(
      runtime.query(
        `CREATE TABLE ${partitionOf('usage_quantities', from)} PARTITION OF usage_quantities FOR VALUES FROM ('${from}') TO ('${to}')`,
      ),
    ).rejects.toThrow(/permission denied|must be owner/);
    await expect(runtime.query(`SELECT ensure_input_partitions(ARRAY[$1])`, [farAhead])).resolves.toEqual([
      { ensure_input_partitions: 2 },
    ]);
    for (const table of ['usage_quantities', 'subscriber_tokens'])
      expect(await partitionsOf(table)).toContain(partitionOf(table, farAhead));
    await expect(runtime.query(`SELECT ensure_input_partitions(ARRAY['2099-1'])`)).rejects.toThrow(
      /not a period/,
    );
  });
});
