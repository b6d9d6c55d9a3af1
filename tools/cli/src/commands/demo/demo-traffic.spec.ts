import { describe, expect, it } from '@jest/globals';
import { monthOfTraffic } from './demo-traffic.js';

const services = [1, 2, 3, 4, 5].map((index) => ({ id: `service-${index}`, apiKey: `key-${index}` }));
const subscribers = ['a', 'b', 'c', 'd'];

describe('monthOfTraffic', () => {
  it('is the same traffic every run: ids come from the day, subscriber, service and meter', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const first = monthOfTraffic('2026-11', subscribers, services, now);
    const second = monthOfTraffic('2026-11', subscribers, services, now);
    expect(second).toEqual(first);
    const ids = [...first.values()].flat().map((event) => `${event.source}|${event.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(100);
  });

  it('stays within the period and never in the future', () => {
    const now = new Date('2026-11-03T10:00:00Z');
    const events = [...monthOfTraffic('2026-11', subscribers, services, now).values()].flat();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.time >= '2026-11-01T00:00:00.000Z').toBe(true);
      expect(new Date(event.time).getTime()).toBeLessThan(now.getTime());
      expect(Number.isInteger(event.data.quantity) && event.data.quantity > 0).toBe(true);
    }
  });

  it('gives every subscriber some usage', () => {
    const events = [
      ...monthOfTraffic('2026-11', subscribers, services, new Date('2026-11-20T00:00:00Z')).values(),
    ].flat();
    expect(new Set(events.map((event) => event.subject))).toEqual(new Set(subscribers));
  });
});
