import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, SubscriberRegisteredV2, TOPICS, UsageRecordedV2, uuidV7 } from '@onecommons/contracts';
import { eventually, hasKeepaliveTimer, TopicProbe } from '@onecommons/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { type OutboxRelay } from '../src/index.js';
import { BackboneFixture } from './backbone-harness.js';

// The transactional outbox against the real broker and database: what a crash at each step leaves behind.

const TOPIC = TOPICS.identityEvents.name;
let fixture: BackboneFixture;
let probe: TopicProbe;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  fixture = await BackboneFixture.create();
  probe = await TopicProbe.start([TOPIC]);
});

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await probe.stop();
  await fixture.dispose();
});

function copiesOnKafka(eventIds: readonly string[]): Map<string, number> {
  const wanted = new Set(eventIds);
  const counts = new Map<string, number>(eventIds.map((id) => [id, 0]));
  for (const message of probe.messages) {
    const id = message.eventId;
    if (id && wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const allPublishedOnce = (eventIds: readonly string[]) =>
  eventually(`${eventIds.length} events on Kafka`, async () => {
    const copies = copiesOnKafka(eventIds);
    return [...copies.values()].every((n) => n >= 1) ? copies : undefined;
  });

async function startedRelay(
  afterSend?: (eventIds: readonly string[]) => Promise<void>,
): Promise<OutboxRelay> {
  const relay = fixture.relay(await fixture.connectedProducer(), afterSend);
  relays.push(relay);
  relay.start();
  return relay;
}

describe('the outbox relay', () => {
  it('holds its leader lock on a connection with TCP keepalives, so a half-dead one is noticed', async () => {
    const relay = await startedRelay();
    await eventually('the relay leads', () => Promise.resolve(relay.isLeader ? true : undefined));
    const session = await fixture.session();
    try {
      const { rows } = await session.query<{ client_port: number }>(
        `SELECT client_port FROM pg_stat_activity WHERE application_name = $1`,
        [`outbox-relay:${fixture.schema}`],
      );
      expect(rows.length).toBeGreaterThan(0);
      // Polled: while a query is in flight the socket shows its retransmit timer instead.
      for (const { client_port: port } of rows)
        await eventually(`a keepalive timer on port ${port}`, () =>
          Promise.resolve(hasKeepaliveTimer(port) ? true : undefined),
        );
    } finally {
      await session.end();
    }
    await relay.stop();
  });

  it('publishes, after a restart, what committed before a crash that came before the send', async () => {
    const events = Array.from({ length: 12 }, () => BackboneFixture.event());
    await fixture.commit(events); // the process dies here: committed, nothing sent
    await sleep(300);
    expect([...copiesOnKafka(events.map((e) => e.id)).values()]).toEqual(events.map(() => 0));

    const relay = await startedRelay(); // the restarted process
    const copies = await allPublishedOnce(events.map((event) => event.id));
    expect([...copies.values()]).toEqual(events.map(() => 1));
    await eventually('every row marked sent', async () =>
      (await fixture.unsentCount()) === 0 ? true : undefined,
    );
    await relay.stop();
  });

  it('re-sends, after a restart, what reached Kafka before a crash that came before marking it sent', async () => {
    const events = Array.from({ length: 8 }, () => BackboneFixture.event());
    const ids = events.map((event) => event.id);
    await fixture.commit(events);
    const crashed = fixture.relay(await fixture.connectedProducer(), async () => {
      throw new Error('process killed after the send, before the UPDATE');
    });
    const session = await fixture.session();
    await expect(crashed.drain(session)).rejects.toThrow('process killed');
    await session.end();
    expect(await fixture.unsentCount()).toBe(8); // nothing marked: the restart must send again
    await allPublishedOnce(ids);

    const relay = await startedRelay();
    await eventually('every row marked sent', async () =>
      (await fixture.unsentCount()) === 0 ? true : undefined,
    );
    const copies = await eventually('the second copies', async () => {
      const found = copiesOnKafka(ids);
      return [...found.values()].every((n) => n === 2) ? found : undefined;
    });
    // At least once on Kafka (same event ids); the idempotent consumer turns it into exactly once.
    expect([...copies.values()]).toEqual(ids.map(() => 2));
    await relay.stop();
  });

  it('publishes a row that commits after a row with a higher sequence number (no gap is skipped)', async () => {
    const relay = await startedRelay();
    const early = BackboneFixture.event();
    const late = BackboneFixture.event();
    const slow = fixture.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    await fixture.writer.append(slow.manager, [early]); // draws the lower id, commits last
    await fixture.commit([late]);

    await allPublishedOnce([late.id]);
    await sleep(300); // the relay has passed the higher id already
    expect(copiesOnKafka([early.id]).get(early.id)).toBe(0);

    await slow.commitTransaction();
    await slow.release();
    await allPublishedOnce([early.id]);
    const order = (await fixture.dataSource.query(
      'SELECT event_id FROM outbox WHERE event_id = ANY($1::uuid[]) ORDER BY id',
      [[early.id, late.id]],
    )) as { event_id: string }[];
    expect(order.map((row) => row.event_id)).toEqual([early.id, late.id]);
    await eventually('every row marked sent', async () =>
      (await fixture.unsentCount()) === 0 ? true : undefined,
    );
    await relay.stop();
  });

  it('relays a row committed while it was sending another at once: that row’s notification is not lost', async () => {
    const first = BackboneFixture.event();
    const second = BackboneFixture.event();
    let secondCommitted = false;
    // It polls once a minute: only the second row's notification can wake it within `eventually`'s 30 s.
    const relay = fixture.relay(
      await fixture.connectedProducer(),
      async (eventIds) => {
        if (secondCommitted || !eventIds.includes(first.id)) return;
        secondCommitted = true;
        await fixture.commit([second]);
      },
      60_000,
    );
    relay.start();
    try {
      await fixture.commit([first]);
      await allPublishedOnce([first.id, second.id]);
      expect(secondCommitted).toBe(true);
    } finally {
      await relay.stop(); // else, still leading, it would keep the next tests' relays waiting for a minute
    }
  });

  it('keeps the commit order of one aggregate on its partition', async () => {
    const relay = await startedRelay();
    const subscriberId = uuidV7();
    const events = Array.from({ length: 15 }, () => BackboneFixture.event(subscriberId));
    await fixture.commit(events);
    const published = await eventually('all 15 on one partition', async () => {
      const found = probe.matching((message) => message.key === subscriberId);
      return found.length === 15 ? found : undefined;
    });
    expect(new Set(published.map((message) => message.partition)).size).toBe(1);
    const inOffsetOrder = [...published].sort((a, b) => Number(a.offset) - Number(b.offset));
    expect(inOffsetOrder.map((message) => message.eventId)).toEqual(events.map((event) => event.id));
    expect(inOffsetOrder[0]?.headers['content-type']).toBe('application/cloudevents+json');
    expect(SubscriberRegisteredV2.topic).toBe(TOPIC);
    await relay.stop();
  });

  it('refuses an invalid event on produce and rolls the whole transaction back', async () => {
    const valid = BackboneFixture.event();
    const invalid = { ...BackboneFixture.event(), data: { subscriberId: 'nope', emailVerified: 'yes' } };
    const before = await fixture.dataSource.query('SELECT count(*)::int AS n FROM outbox');
    await expect(
      fixture.dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO effects (event_id, subscriber_id) VALUES ($1, $2)', [
          valid.id,
          valid.subject,
        ]);
        await fixture.writer.append(manager, [valid, invalid]);
      }),
    ).rejects.toThrow(/invalid onecommons\.identity\.subscriber\.registered\.v2 event: data\.subscriberId/);
    expect(await fixture.dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual(before);
    expect((await fixture.effectsOf([valid.id])).size).toBe(0);
  });

  it('sends a backlog of large events in several requests, each under the broker’s size limit', async () => {
    // 40 announcements of about 150 kB on one partition (one key): 6 MB, which the broker refuses as one batch.
    const recordingId = uuidV7();
    const usage = Array.from({ length: 1_500 }, (_, line) => ({
      serviceId: uuidV7(),
      meter: `meter_${line}`,
      quantity: '1',
      events: 1,
    }));
    const events = Array.from({ length: 40 }, () =>
      createEvent(
        UsageRecordedV2,
        {
          recordingId,
          subscribers: [{ subscriberId: uuidV7(), period: '2026-12', usage }],
          recordedAt: new Date().toISOString(),
        },
        { source: '/onecommons/test' },
      ),
    );
    await fixture.commit(events);
    const sends: string[][] = [];
    const relay = fixture.relay(await fixture.connectedProducer(), async (eventIds) => {
      sends.push([...eventIds]);
    });
    const session = await fixture.session();
    try {
      expect(await relay.drain(session)).toBe(40);
    } finally {
      await session.end();
    }
    expect(sends.flat().sort()).toEqual(events.map((event) => event.id).sort());
    const bytes = new Map(events.map((event) => [event.id, Buffer.byteLength(JSON.stringify(event))]));
    expect(sends.length).toBeGreaterThan(6);
    for (const send of sends)
      expect(send.reduce((sum, id) => sum + (bytes.get(id) ?? 0), 0)).toBeLessThan(1_048_576);
    expect(await fixture.unsentCount()).toBe(0);
  });
});
