import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  PeriodCloseRequestedV1,
  SubscriberRegisteredV1,
  SubscriberRegisteredV2,
  TOPICS,
  uuidV7,
} from '@onecommons/contracts';
import { replayService, type ReplayReport } from '@onecommons/service-kit';
import {
  consumerCaughtUp,
  eventually,
  RawProducer,
  startService,
  testStack,
  type RunningService,
} from '@onecommons/testing';
import pg from 'pg';
import { meteringService } from '../src/metering.definition.js';
import { type MeteringConfig } from '../src/config.js';

// `replay` rebuilds metering's projections from identity's topic into a fresh schema and compares digests.

const TOPIC = TOPICS.identityEvents.name;
const source = { source: '/onecommons/identity' };
let metering: RunningService<MeteringConfig>;
let producer: RawProducer;
const admin = new pg.Pool({ connectionString: testStack().postgresAdminUrl, max: 1 });

beforeAll(async () => {
  metering = await startService(meteringService, { env: { CONSUMER_MAX_ATTEMPTS: '1' } });
  producer = await RawProducer.connect();
  const v2 = Array.from({ length: 20 }, () =>
    createEvent(
      SubscriberRegisteredV2,
      { subscriberId: uuidV7(), emailVerified: false, registeredAt: new Date().toISOString() },
      source,
    ),
  );
  const v1 = createEvent(
    SubscriberRegisteredV1,
    { subscriberId: uuidV7(), email: 'legacy@example.org' },
    source,
  );
  for (const event of [...v2, v1]) await producer.send(TOPIC, event.subject, JSON.stringify(event));
  await producer.send(TOPIC, uuidV7(), 'not json at all'); // dead-lettered live, skipped by the replay
  await producer.send(TOPIC, v2[0]?.subject ?? '', JSON.stringify(v2[0])); // a redelivered duplicate
  await eventually('metering to catch up with the topic', async () =>
    (await consumerCaughtUp(metering.consumerGroup, [TOPIC])) ? true : undefined,
  );
});

afterAll(async () => {
  await producer.stop();
  await metering.stop();
  await admin.end();
});

const replay = (options: { verify: boolean; keep?: boolean; from?: Date }) =>
  replayService(meteringService, metering.config, testStack().postgresAdminUrl, {
    from: options.from ? { kind: 'time', at: options.from } : { kind: 'earliest' },
    verify: options.verify,
    keep: options.keep ?? false,
  });

async function schemaExists(schema: string): Promise<boolean> {
  const { rowCount } = await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
    schema,
  ]);
  return rowCount === 1;
}

describe('replay', () => {
  let verified: ReplayReport;

  it('rebuilds the subscribers projection with a digest identical to the live one', async () => {
    const progress: number[] = [];
    verified = await replayService(meteringService, metering.config, testStack().postgresAdminUrl, {
      from: { kind: 'earliest' },
      verify: true,
      keep: false,
      onProgress: (step) => progress.push(step.processed),
    });
    expect(verified.identical).toBe(true);
    expect(verified.live?.digest).toBe(verified.rebuilt.digest);
    expect(verified.rebuilt.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [live] = await metering.query<{ n: number }>('SELECT count(*)::int AS n FROM subscribers');
    expect(verified.rebuilt.tables).toEqual([
      expect.objectContaining({ table: 'subscribers', rows: live?.n }),
      expect.objectContaining({ table: 'meters' }),
      expect.objectContaining({ table: 'services' }),
    ]);
    expect(live?.n).toBeGreaterThanOrEqual(21);
    expect(verified.events.processed).toBe(verified.events.total);
    expect(verified.events.outcomes.duplicate).toBeGreaterThanOrEqual(1);
    expect(verified.skipped['invalid_json']).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toBe(verified.events.total);
    expect(await schemaExists(verified.replaySchema)).toBe(false); // dropped after a verify
  });

  it('reports different digests when the live projection has drifted from the events', async () => {
    await metering.query(
      "UPDATE subscribers SET plan = 'drifted' WHERE subscriber_id = (SELECT subscriber_id FROM subscribers ORDER BY subscriber_id LIMIT 1)",
    );
    const drifted = await replay({ verify: true, keep: true });
    expect(drifted.identical).toBe(false);
    expect(drifted.live?.digest).not.toBe(drifted.rebuilt.digest);
    expect(drifted.rebuilt.digest).toBe(verified.rebuilt.digest); // the events did not change
    expect(await schemaExists(drifted.replaySchema)).toBe(true); // --keep
    await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(drifted.replaySchema)} CASCADE`);
  });

  it('replays nothing from a time after the last event, and keeps the empty rebuild without --verify', async () => {
    const report = await replay({ verify: false, from: new Date(Date.now() + 60_000) });
    expect(report.events.total).toBe(0);
    expect(report.rebuilt.tables.map((table) => table.rows)).toEqual([0, 0, 0]);
    expect(report.identical).toBeUndefined();
    expect(await schemaExists(report.replaySchema)).toBe(true);
    await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(report.replaySchema)} CASCADE`);
  });
});

describe('replay of a close request', () => {
  // A period no other test closes: the seal is metering's own record (like its usage), not a projection.
  const period = '2019-07';
  const sealed = () =>
    metering.query<{ announcements: string; sealed_at: Date }>(
      'SELECT announcements::text, sealed_at FROM period_seals WHERE period = $1',
      [period],
    );
  const watermarks = () =>
    metering.query(
      `SELECT 1 FROM outbox WHERE event_type = 'onecommons.metering.usage.period-sealed.v1'
          AND payload::jsonb #>> '{data,period}' = $1`,
      [period],
    );

  it('runs the seal handler against the rebuilt schema only: the live seal stays, nothing is published', async () => {
    const request = createEvent(
      PeriodCloseRequestedV1,
      { period, forced: false, requestedAt: new Date().toISOString() },
      { source: '/onecommons/ledger' },
    );
    await producer.send(TOPICS.ledgerEvents.name, request.subject, JSON.stringify(request));
    const [seal] = await eventually('metering to seal the period', async () => {
      const rows = await sealed();
      return rows.length > 0 ? rows : undefined;
    });
    expect(seal?.announcements).toBe('0');
    expect(await watermarks()).toHaveLength(1);

    const report = await replay({ verify: false }); // keeps the rebuilt schema
    expect(report.topics).toContain(TOPICS.ledgerEvents.name);
    const schema = pg.escapeIdentifier(report.replaySchema);
    const rebuilt = await admin.query(
      `SELECT announcements::text FROM ${schema}.period_seals WHERE period = $1`,
      [period],
    );
    // The rebuilt schema counted no usage (usage is not replayed), and a replay relays nothing.
    expect(rebuilt.rows).toEqual([{ announcements: '0' }]);
    const unsent = await admin.query(
      `SELECT published_at FROM ${schema}.outbox WHERE event_type = 'onecommons.metering.usage.period-sealed.v1'
          AND payload::jsonb #>> '{data,period}' = $1`,
      [period],
    );
    expect(unsent.rows).toEqual([{ published_at: null }]);
    await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(report.replaySchema)} CASCADE`);
    expect(await sealed()).toEqual([seal]);
    expect(await watermarks()).toHaveLength(1);
  });
});
