import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateServiceSchema } from '@onecommons/persistence';
import { schemaQuery, serviceOf, testStack, uniqueSuffix } from '@onecommons/testing';
import pg from 'pg';
import { eventDigest } from '../src/ingest/event-digest.js';
import { meteringService } from '../src/metering.definition.js';
import { EventDigest1765400000000 } from '../src/migrations/1765400000000-event-digest.js';

/**
 * The digest key's migration, on a schema holding usage from before it: each event keeps its row and gets the
 * digest metering computes, and a correction keeps naming its original.
 */
const stack = testStack();
const admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
const schema = `t_metering_digest_${uniqueSuffix()}`;
const migrations = meteringService.migrations as readonly unknown[] as (new () => object)[];

const query = schemaQuery(admin, schema);

const migrate = (list: readonly (new () => object)[]) =>
  migrateServiceSchema({
    adminUrl: stack.postgresAdminUrl,
    runtimeUrl: serviceOf(stack, 'metering').databaseUrl,
    schema,
    migrations: [...list],
  });

const serviceId = randomUUID();
/** Identities a text-to-bytes slip would get wrong: backslashes, escapes, multi-byte characters. */
const identities = [
  { source: `/services/${serviceId}`, id: 'e-1' },
  { source: '/a\\x41\\\\b', id: 'é-ü-漢字-\\000' },
  { source: '/a', id: 'b1' },
  { source: '/ab', id: '1' },
];

beforeAll(async () => {
  const before = migrations.slice(0, migrations.indexOf(EventDigest1765400000000));
  await migrate(before);
  const subscriber = randomUUID();
  for (const { source, id } of identities)
    await query(
      `INSERT INTO usage_events (source, event_id, subscriber_id, service_id, meter, quantity, period, event_time)
       VALUES ($1, $2, $3, $4, 'requests', 5, '2026-11', '2026-11-10T12:00:00Z')`,
      [source, id, subscriber, serviceId],
    );
  await query(
    `INSERT INTO usage_corrections (source, event_id, original_source, original_event_id, subscriber_id, service_id,
                                    meter, delta, period, original_period)
     VALUES ('/fixes', 'c-1', $1, $2, $3, $4, 'requests', -2, '2026-11', '2026-11')`,
    [identities[1]?.source, identities[1]?.id, subscriber, serviceId],
  );
  expect(await migrate(migrations)).toEqual(
    migrations.slice(migrations.indexOf(EventDigest1765400000000)).map((migration) => migration.name),
  );
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await admin.end();
});

describe('the event digest key', () => {
  it('gives every event from before the migration the digest metering computes, keeping its row', async () => {
    const rows = await query<{ source: string; event_id: string; event_digest: Buffer; quantity: string }>(
      `SELECT source, event_id, event_digest, quantity::text AS quantity FROM usage_events ORDER BY source, event_id`,
    );
    expect(rows).toHaveLength(identities.length);
    for (const row of rows) {
      expect(row.quantity).toBe('5');
      expect(row.event_digest.equals(eventDigest({ serviceId, source: row.source, id: row.event_id }))).toBe(
        true,
      );
    }
    expect(new Set(rows.map((row) => row.event_digest.toString('hex'))).size).toBe(identities.length);
  });

  it('computes the same bytes in SQL as metering does, for any text', async () => {
    for (const identity of [...identities, { source: '/\\\\\\', id: '\\x00ff' }]) {
      const [row] = await query<{ digest: Buffer }>(`SELECT usage_event_digest($1, $2, $3) AS digest`, [
        serviceId,
        identity.source,
        identity.id,
      ]);
      expect(row?.digest.equals(eventDigest({ serviceId, ...identity }))).toBe(true);
    }
  });

  it('keeps a correction tied to its original, by the digest', async () => {
    const [row] = await query<{ matches: boolean }>(
      `SELECT c.original_digest = e.event_digest AND e.event_id = $1 AS matches
         FROM usage_corrections c JOIN usage_events e ON e.event_digest = c.original_digest`,
      [identities[1]?.id],
    );
    expect(row?.matches).toBe(true);
  });

  it('keeps the rows from before partitioning as one partition, up to their last period (1765600000000)', async () => {
    const partitions = await query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'usage_events'::regclass ORDER BY 1`,
    );
    expect(partitions).toEqual([
      { name: 'usage_events_before_partitioning', bound: "FOR VALUES FROM (MINVALUE) TO ('2026-12')" },
    ]);
    await query(`SELECT ensure_usage_partitions(ARRAY['2026-11', '2026-12'])`);
    const [row] = await query<{ partition: string }>(
      `INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period,
                                 event_time)
       VALUES (usage_event_digest($1, 'new', 'new'), 'new', 'new', $1, $1, 'requests', 1, '2026-12', now())
       RETURNING tableoid::regclass::text AS partition`,
      [serviceId],
    );
    expect(row?.partition).toBe('usage_events_p2026_12');
  });

  it('refuses a second event with the same digest', async () => {
    const [first] = identities;
    await expect(
      query(
        `INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity,
                                   period, event_time)
         VALUES ($1, 'other', 'other', $2, $2, 'requests', 1, '2026-11', now())`,
        [eventDigest({ serviceId, source: first?.source as string, id: first?.id as string }), serviceId],
      ),
    ).rejects.toThrow(/duplicate key/);
  });
});
