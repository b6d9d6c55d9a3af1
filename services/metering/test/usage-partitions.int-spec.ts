import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf, shiftPeriod } from '@onecommons/contracts';
import { DataSource } from 'typeorm';
import { eventDigest } from '../src/ingest/event-digest.js';
import { UsageRecorder } from '../src/ingest/usage-recorder.js';
import { UsagePartitions } from '../src/periods/usage-partitions.js';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

// Usage partitioned by period (#26): partitions made ahead, made on demand when usage outruns them, and
// detached once past the correction window, after which the period's corrections are refused and its rows
// stay in the detached table for the operator to archive.

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let subscribers: string[];
const now = () => new Date();
const current = () => periodOf(now());
const partitionName = (table: string, period: string) => `${table}_p${period.replace('-', '_')}`;

beforeAll(async () => {
  stack = await startMeteringStack({ METERING_CORRECTION_WINDOW_MONTHS: '2' });
  await defineMeters(stack, { requests: 1 });
  ({ serviceId, apiKey } = await newService(stack));
  subscribers = await newSubscriberIds(stack, 3);
});

afterAll(async () => {
  await stack.stop();
});

const app = () => {
  if (!stack.meteringInProcess) throw new Error('metering runs in this process here');
  return stack.meteringInProcess.app;
};

const send = (body: unknown) =>
  json<Record<string, unknown>>(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential: apiKey,
    contentType: 'application/cloudevents+json',
    body,
  });

const usage = (subscriber: string, quantity: number) => ({
  specversion: '1.0',
  source: `/services/${serviceId}`,
  id: randomUUID(),
  type: 'onecommons.usage.v1',
  subject: subscriber,
  time: now().toISOString(),
  data: { service: serviceId, meter: 'requests', quantity },
});

const partitionsOf = async (table: string) =>
  (
    await stack.metering.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    )
  ).map((row) => row.name);

describe('usage partitions', () => {
  it('exist for the current period and the next two from boot, and hold each period’s usage', async () => {
    const coming = [0, 1, 2].map((months) => shiftPeriod(current(), months));
    for (const table of ['usage_events', 'usage_aggregates'])
      expect(await partitionsOf(table)).toEqual(coming.map((period) => partitionName(table, period)));
    const event = usage(subscribers[0] as string, 3);
    expect((await send(event)).status).toBe(202);
    const [row] = await stack.metering.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM usage_events WHERE event_id = $1`,
      [event.id],
    );
    expect(row?.partition).toBe(partitionName('usage_events', current()));
  });

  it('are made on demand for usage that arrives before its partition, counting it once', async () => {
    const later = shiftPeriod(current(), 2);
    for (const table of ['usage_events', 'usage_aggregates'])
      await stack.metering.query(`DROP TABLE ${partitionName(table, later)}`);
    const recorder = app().get(UsageRecorder);
    const event = {
      id: randomUUID(),
      source: `/services/${serviceId}`,
      subscriberId: subscribers[1] as string,
      serviceId,
      meter: 'requests',
      quantity: 4n,
      time: new Date(),
      period: later,
      limit: 1_000n,
      periodClosed: false,
    };
    const fates = await recorder.record([{ ...event, digest: eventDigest(event) }]);
    expect([...fates.values()]).toEqual(['accepted']);
    expect([...(await recorder.record([{ ...event, digest: eventDigest(event) }])).values()]).toEqual([
      'duplicate',
    ]);
    const rows = await stack.metering.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM usage_aggregates WHERE period = $1`,
      [later],
    );
    expect(rows).toEqual([{ partition: partitionName('usage_aggregates', later) }]);
  });

  it('are detached past the correction window: the period’s corrections are refused, its rows kept apart', async () => {
    const subscriber = subscribers[2] as string;
    const original = usage(subscriber, 10);
    expect((await send(original)).status).toBe(202);
    const partitions = app().get(UsagePartitions);
    // Three months on, with a window of two: the current period and the next are past it.
    const { detached } = await partitions.maintain(
      new Date(Date.UTC(now().getUTCFullYear(), now().getUTCMonth() + 3, 15)),
    );
    const period = current();
    expect(detached).toEqual(
      expect.arrayContaining([
        partitionName('usage_events', period),
        partitionName('usage_aggregates', period),
      ]),
    );
    expect(await partitionsOf('usage_events')).not.toContain(partitionName('usage_events', period));
    expect(
      await stack.metering.query(
        `SELECT parent, period_from, period_to FROM usage_archive WHERE table_name = $1`,
        [partitionName('usage_events', period)],
      ),
    ).toEqual([{ parent: 'usage_events', period_from: period, period_to: shiftPeriod(period, 1) }]);

    const correction = {
      ...usage(subscriber, 0),
      type: 'onecommons.usage.correction.v1',
      data: {
        service: serviceId,
        meter: 'requests',
        quantity: -4,
        corrects: { source: original.source, id: original.id },
      },
    };
    expect(await send(correction)).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_window_passed', field: 'data.corrects' } },
    });
    expect(
      await stack.metering.query(`SELECT 1 FROM usage_corrections WHERE event_id = $1`, [correction.id]),
    ).toEqual([]);
    // The period's usage is out of the live tables, whole in the detached ones.
    expect(
      await stack.metering.query(`SELECT 1 FROM usage_events WHERE event_id = $1`, [original.id]),
    ).toEqual([]);
    expect(
      await stack.metering.query<{ quantity: string }>(
        `SELECT quantity::text FROM ${partitionName('usage_events', period)} WHERE event_id = $1`,
        [original.id],
      ),
    ).toEqual([{ quantity: '10' }]);
    expect(
      await stack.metering.query<{ quantity: string }>(
        `SELECT quantity::text FROM ${partitionName('usage_aggregates', period)} WHERE subscriber_id = $1`,
        [subscriber],
      ),
    ).toEqual([{ quantity: '10' }]);
    // Its usage is not shown as none: the subscriber is told it is archived.
    expect(
      await json(
        `${stack.metering.url}/api/metering/v1/usage?subscriber=${subscriber}&period=${period}`,
        'GET',
        { credential: stack.adminToken },
      ),
    ).toMatchObject({ status: 410, body: { error: { code: 'usage_archived', field: 'period' } } });
    // An archived period gets no new partition, so nothing is ever counted in it again.
    await expect(partitions.ensure([period])).rejects.toThrow(/archived/);
  });

  it('are made and detached only through the migration’s functions: the service’s role runs no DDL', async () => {
    const runtime = app().get(DataSource);
    await expect(
      runtime.query(
        `CREATE TABLE usage_events_p2099_01 PARTITION OF usage_events FOR VALUES FROM ('2099-01') TO ('2099-02')`,
      ),
    ).rejects.toThrow(/permission denied|must be owner/);
    await expect(runtime.query(`DELETE FROM usage_archive`)).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`SELECT ensure_usage_partitions(ARRAY['2099-13'])`)).rejects.toThrow(
      /not a period/,
    );
  });
});
