import { describe, expect, it } from '@jest/globals';
import { eventCatalogue } from '../catalogue.js';
import { createEvent } from '../envelope/event-catalogue.js';
import { boundOfPeriod, isBoundPlausibleForUnit, MeterDefinedV1, MeterDefinedV2 } from './meter-defined.js';

const decodeV1 = (name: string) =>
  eventCatalogue.decode(
    JSON.stringify(createEvent(MeterDefinedV1, { name, weight: '3' }, { source: '/catalog' })),
  );

describe('meter definitions', () => {
  it('of v1 are read as v2 with the documented default unit and bound', () => {
    expect(decodeV1('active_seconds')).toMatchObject({
      ok: true,
      receivedType: MeterDefinedV1.type,
      event: {
        type: MeterDefinedV2.type,
        data: { name: 'active_seconds', weight: '3', unit: 'second', bound: { per: 'second', max: '1' } },
      },
    });
    expect(decodeV1('requests')).toMatchObject({
      event: { data: { name: 'requests', unit: 'unit', bound: { per: 'second', max: '1000' } } },
    });
  });

  it('bound a period per second of it, or per period', () => {
    const december = 31 * 86_400;
    expect(boundOfPeriod({ per: 'second', max: '1' }, december)).toBe(2_678_400n);
    expect(boundOfPeriod({ per: 'second', max: '1000' }, december)).toBe(2_678_400_000n);
    expect(boundOfPeriod({ per: 'period', max: '100' }, december)).toBe(100n);
  });

  it('in seconds cannot exceed one second per second', () => {
    expect(isBoundPlausibleForUnit('second', { per: 'second', max: '1' })).toBe(true);
    expect(isBoundPlausibleForUnit('second', { per: 'second', max: '2' })).toBe(false);
    expect(isBoundPlausibleForUnit('second', { per: 'period', max: '100' })).toBe(false);
    expect(isBoundPlausibleForUnit('request', { per: 'second', max: '50' })).toBe(true);
  });
});
