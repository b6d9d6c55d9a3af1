import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../seeded-random.js';
import { INGEST_LOAD_SHAPE, seededUuid, UsageBatchGenerator } from './usage-batches.js';

const SERVICE = '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fixedNow = () => new Date('2026-11-25T10:00:00.000Z');

const batchesOf = (seed: number, count: number) => {
  const generator = new UsageBatchGenerator(INGEST_LOAD_SHAPE, SERVICE, 'run', seed, fixedNow);
  return Array.from({ length: count }, () => generator.next());
};

describe('usage batches', () => {
  it('make version-4 UUIDs', () => {
    const random = new SeededRandom(7);
    for (let index = 0; index < 100; index += 1) expect(seededUuid(random)).toMatch(UUID);
  });

  it('hold 100 to 1000 well-formed events of the service', () => {
    for (const batch of batchesOf(1, 50)) {
      expect(batch.events.length).toBeGreaterThanOrEqual(100);
      expect(batch.events.length).toBeLessThanOrEqual(1_000);
      for (const event of batch.events) {
        expect(event).toMatchObject({
          specversion: '1.0',
          type: 'onecommons.usage.v1',
          source: `/services/${SERVICE}`,
          time: '2026-11-25T10:00:00.000Z',
          data: { service: SERVICE },
        });
        expect(event.subject).toMatch(UUID);
        expect(INGEST_LOAD_SHAPE.meters).toContain(event.data.meter);
        expect(Number.isSafeInteger(event.data.quantity) && event.data.quantity > 0).toBe(true);
      }
    }
  });

  it('resend about 1% of events, and only events sent before', () => {
    const seen = new Set<string>();
    let events = 0;
    let resends = 0;
    for (const batch of batchesOf(2, 200)) {
      let counted = 0;
      for (const event of batch.events) {
        if (seen.has(event.id)) counted += 1;
        seen.add(event.id);
      }
      expect(counted).toBe(batch.resends);
      events += batch.events.length;
      resends += batch.resends;
    }
    expect(seen.size).toBe(events - resends);
    expect(resends / events).toBeGreaterThan(0.007);
    expect(resends / events).toBeLessThan(0.013);
  });

  it('spread a batch over many subscribers, several events each', () => {
    const [batch] = batchesOf(3, 1);
    const subscribers = new Set(batch?.events.map((event) => event.subject));
    const perSubscriber = (batch?.events.length ?? 0) / subscribers.size;
    expect(perSubscriber).toBeGreaterThan(2);
    expect(perSubscriber).toBeLessThan(8);
  });

  it('are the same for the same seed', () => {
    expect(batchesOf(4, 5)).toEqual(batchesOf(4, 5));
    expect(batchesOf(4, 5)).not.toEqual(batchesOf(5, 5));
  });
});
