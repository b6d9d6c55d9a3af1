import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parseUsageEvent } from './usage-event.js';

const subscriber = randomUUID();
const service = randomUUID();
const valid = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/services/wiki-1',
  type: 'onecommons.usage.v1',
  subject: subscriber,
  time: '2026-11-25T10:00:00Z',
  data: { service, meter: 'active_seconds', quantity: 60 },
};

const rejectionOf = (value: unknown) =>
  'rejection' in parseUsageEvent(value) ? parseUsageEvent(value) : null;

describe('usage events', () => {
  it('accept numbers and decimal strings as quantities', () => {
    expect(parseUsageEvent(valid)).toMatchObject({ event: { quantity: 60n, subscriberId: subscriber } });
    const big = parseUsageEvent({ ...valid, data: { ...valid.data, quantity: '999999999999999999' } });
    expect(big).toMatchObject({ event: { quantity: 999_999_999_999_999_999n } });
    expect(
      parseUsageEvent({ ...valid, data: { ...valid.data, quantity: Number.MAX_SAFE_INTEGER } }),
    ).toHaveProperty('event');
  });

  it.each([
    ['not an object', [], 'event'],
    ['another specversion', { ...valid, specversion: '0.3' }, 'specversion'],
    ['an empty id', { ...valid, id: '' }, 'id'],
    ['an id with a NUL', { ...valid, id: 'evt\u00001' }, 'id'],
    ['a source with a NUL', { ...valid, source: '/services\u0000' }, 'source'],
    ['a meter with a NUL', { ...valid, data: { ...valid.data, meter: 'active\u0000' } }, 'data.meter'],
    ['a source with spaces', { ...valid, source: 'a b' }, 'source'],
    ['another type', { ...valid, type: 'com.example.usage' }, 'type'],
    ['a subject that is no UUID', { ...valid, subject: 'alice' }, 'subject'],
    ['a time without zone', { ...valid, time: '2026-11-25T10:00:00' }, 'time'],
    ['a non-JSON data content type', { ...valid, datacontenttype: 'text/plain' }, 'datacontenttype'],
    ['no data', { ...valid, data: undefined }, 'data'],
    ['a service that is no UUID', { ...valid, data: { ...valid.data, service: 'wiki' } }, 'data.service'],
    ['no meter', { ...valid, data: { ...valid.data, meter: '' } }, 'data.meter'],
    ['a negative quantity', { ...valid, data: { ...valid.data, quantity: -1 } }, 'data.quantity'],
    ['a fractional quantity', { ...valid, data: { ...valid.data, quantity: 1.5 } }, 'data.quantity'],
    ['an unsafe number', { ...valid, data: { ...valid.data, quantity: 2 ** 53 } }, 'data.quantity'],
    ['19 digits', { ...valid, data: { ...valid.data, quantity: '1000000000000000000' } }, 'data.quantity'],
    ['a padded string', { ...valid, data: { ...valid.data, quantity: '007' } }, 'data.quantity'],
  ])('refuse %s, naming the field', (_label, value, field) => {
    expect(rejectionOf(value)).toMatchObject({ rejection: { field } });
  });
});

describe('usage corrections', () => {
  const correction = {
    ...valid,
    id: 'fix-1',
    type: 'onecommons.usage.correction.v1',
    data: {
      service,
      meter: 'active_seconds',
      quantity: '-20',
      corrects: { source: '/services/wiki-1', id: 'evt-1' },
    },
  };

  it('carry a signed change and the event they correct', () => {
    expect(parseUsageEvent(correction)).toMatchObject({
      correction: { delta: -20n, corrects: { source: '/services/wiki-1', id: 'evt-1' } },
    });
    expect(parseUsageEvent({ ...correction, data: { ...correction.data, quantity: 5 } })).toMatchObject({
      correction: { delta: 5n },
    });
  });

  it.each([
    ['a zero change', { ...correction.data, quantity: 0 }, 'data.quantity'],
    ['a fractional change', { ...correction.data, quantity: -1.5 }, 'data.quantity'],
    ['no reference', { ...correction.data, corrects: undefined }, 'data.corrects'],
    ['a reference without id', { ...correction.data, corrects: { source: '/x' } }, 'data.corrects'],
  ])('refuse %s', (_label, data, field) => {
    expect(parseUsageEvent({ ...correction, data })).toMatchObject({ rejection: { field } });
  });
});
