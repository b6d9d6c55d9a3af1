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

  it('lower-case the subscriber and service ids and ignore extension attributes', () => {
    const shouted = {
      ...valid,
      subject: subscriber.toUpperCase(),
      region: 'eu',
      data: { ...valid.data, service: service.toUpperCase() },
    };
    expect(parseUsageEvent(shouted)).toEqual({
      event: {
        source: valid.source,
        id: valid.id,
        subscriberId: subscriber,
        serviceId: service,
        meter: 'active_seconds',
        quantity: 60n,
        time: new Date(valid.time),
      },
    });
  });

  it.each([
    ['not an object', [], 'event', 'invalid_event'],
    ['null', null, 'event', 'invalid_event'],
    ['another specversion', { ...valid, specversion: '0.3' }, 'specversion', 'unsupported_specversion'],
    ['no specversion', { ...valid, specversion: undefined }, 'specversion', 'unsupported_specversion'],
    ['an empty id', { ...valid, id: '' }, 'id', 'invalid_attribute'],
    ['a numeric id', { ...valid, id: 7 }, 'id', 'invalid_attribute'],
    ['an id over 256 characters', { ...valid, id: 'x'.repeat(257) }, 'id', 'invalid_attribute'],
    ['an id with a NUL', { ...valid, id: 'evt\u00001' }, 'id', 'invalid_attribute'],
    ['a source with a NUL', { ...valid, source: '/services\u0000' }, 'source', 'invalid_attribute'],
    [
      'a meter with a NUL',
      { ...valid, data: { ...valid.data, meter: 'active\u0000' } },
      'data.meter',
      'invalid_attribute',
    ],
    ['a source with spaces', { ...valid, source: 'a b' }, 'source', 'invalid_attribute'],
    ['another type', { ...valid, type: 'com.example.usage' }, 'type', 'unsupported_type'],
    ['a subject that is no UUID', { ...valid, subject: 'alice' }, 'subject', 'invalid_attribute'],
    ['a time without zone', { ...valid, time: '2026-11-25T10:00:00' }, 'time', 'invalid_attribute'],
    ['an impossible time', { ...valid, time: '2026-13-45T10:00:00Z' }, 'time', 'invalid_attribute'],
    [
      'a non-JSON data content type',
      { ...valid, datacontenttype: 'text/plain' },
      'datacontenttype',
      'invalid_attribute',
    ],
    ['a null data content type', { ...valid, datacontenttype: null }, 'datacontenttype', 'invalid_attribute'],
    ['no data', { ...valid, data: undefined }, 'data', 'invalid_attribute'],
    ['data that is an array', { ...valid, data: [valid.data] }, 'data', 'invalid_attribute'],
    [
      'a service that is no UUID',
      { ...valid, data: { ...valid.data, service: 'wiki' } },
      'data.service',
      'invalid_attribute',
    ],
    ['no meter', { ...valid, data: { ...valid.data, meter: '' } }, 'data.meter', 'invalid_attribute'],
    [
      'a negative quantity',
      { ...valid, data: { ...valid.data, quantity: -1 } },
      'data.quantity',
      'invalid_quantity',
    ],
    [
      'a fractional quantity',
      { ...valid, data: { ...valid.data, quantity: 1.5 } },
      'data.quantity',
      'invalid_quantity',
    ],
    [
      'an unsafe number',
      { ...valid, data: { ...valid.data, quantity: 2 ** 53 } },
      'data.quantity',
      'invalid_quantity',
    ],
    [
      '19 digits',
      { ...valid, data: { ...valid.data, quantity: '1000000000000000000' } },
      'data.quantity',
      'invalid_quantity',
    ],
    [
      'a padded string',
      { ...valid, data: { ...valid.data, quantity: '007' } },
      'data.quantity',
      'invalid_quantity',
    ],
    [
      'no quantity',
      { ...valid, data: { ...valid.data, quantity: undefined } },
      'data.quantity',
      'invalid_quantity',
    ],
  ])('refuse %s, naming the field', (_label, value, field, code) => {
    expect(rejectionOf(value)).toMatchObject({ rejection: { code, field } });
  });

  it.each([
    ['an id before a type', { ...valid, id: '', type: 'other' }, 'id'],
    ['a type before a subject', { ...valid, type: 'other', subject: 'alice' }, 'type'],
    ['a time before the data', { ...valid, time: 'yesterday', data: null }, 'time'],
    [
      'a service before a quantity',
      { ...valid, data: { service: 'wiki', meter: 'm', quantity: -1 } },
      'data.service',
    ],
  ])('name the first failing field in checking order: %s', (_label, value, field) => {
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
    ['a zero string', { ...correction.data, quantity: '0' }, 'data.quantity'],
    ['no reference', { ...correction.data, corrects: undefined }, 'data.corrects'],
    ['a reference without id', { ...correction.data, corrects: { source: '/x' } }, 'data.corrects'],
    [
      'a reference with an empty source',
      { ...correction.data, corrects: { source: '', id: 'e' } },
      'data.corrects',
    ],
  ])('refuse %s', (_label, data, field) => {
    expect(parseUsageEvent({ ...correction, data })).toMatchObject({
      rejection: { code: field === 'data.quantity' ? 'invalid_quantity' : 'invalid_attribute', field },
    });
  });

  it('say what a change must be, unlike what a usage quantity must be', () => {
    const refused = parseUsageEvent({ ...correction, data: { ...correction.data, quantity: 0 } });
    expect(refused).toMatchObject({ rejection: { message: expect.stringContaining('signed change') } });
  });
});
