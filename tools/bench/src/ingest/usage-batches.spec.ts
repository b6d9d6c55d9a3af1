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
    // ~27,000 events: checked in plain code and reported together (an expect per event took ~4 s).
    const problems: string[] = [];
    for (const [index, batch] of batchesOf(1, 50).entries()) {
      if (batch.events.length < 100 || batch.events.length > 1_000)
        problems.push(`batch ${index}: ${batch.events.length} events`);
      for (const event of batch.events) {
        const wellFormed =
          event.specversion === '1.0' &&
          event.type === 'onecommons.usage.v1' &&
          event.source === `/services/${SERVICE}` &&
          event.time === '2026-11-25T10:00:00.000Z' &&
          event.data.service === SERVICE &&
          UUID.test(event.subject) &&
          INGEST_LOAD_SHAPE.meters.includes(event.data.meter) &&
          Number.isSafeInteger(event.data.quantity) &&
          event.data.quantity > 0;
        if (!wellFormed) problems.push(`batch ${index}: ${JSON.stringify(event)}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
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
