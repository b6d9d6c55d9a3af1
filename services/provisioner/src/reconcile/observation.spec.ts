import { describe, expect, it } from '@jest/globals';
import { relativeName, zoneOf } from '../providers/provider-api.js';
import { isOurRecord } from './observation.js';

const DEPLOYMENT = '0192f0c4-0000-7000-8000-000000000001';

describe('which DNS records a deployment may change', () => {
  const record = (values: string[], labels: Record<string, string> = {}, id = 'r1') => ({
    id,
    values,
    labels,
  });

  it('those with its labels, those its calls made, and those pointing only at its servers', () => {
    expect(
      isOurRecord(record(['192.0.2.1'], { 'onecommons.org/deployment': DEPLOYMENT }), DEPLOYMENT, [], []),
    ).toBe(true);
    expect(isOurRecord(record(['192.0.2.1']), DEPLOYMENT, ['r1'], [])).toBe(true);
    expect(isOurRecord(record(['100.64.0.7']), DEPLOYMENT, [], ['100.64.0.7'])).toBe(true);
  });

  it('never another’s: other labels, other addresses, or addresses partly ours', () => {
    expect(
      isOurRecord(record(['192.0.2.1'], { 'onecommons.org/deployment': 'another' }), DEPLOYMENT, [], []),
    ).toBe(false);
    expect(isOurRecord(record(['192.0.2.1']), DEPLOYMENT, ['r2'], ['100.64.0.7'])).toBe(false);
    expect(isOurRecord(record(['100.64.0.7', '192.0.2.1']), DEPLOYMENT, [], ['100.64.0.7'])).toBe(false);
    expect(isOurRecord(record([]), DEPLOYMENT, [], [])).toBe(false);
  });
});

describe('the zone of a domain', () => {
  const zones = [
    { id: '1', name: 'example.org' },
    { id: '2', name: 'apps.example.org' },
    { id: '3', name: 'ample.org' },
  ];

  it('is the longest zone that holds it, by whole labels', () => {
    expect(zoneOf(zones, 'wiki.apps.example.org')?.id).toBe('2');
    expect(zoneOf(zones, 'wiki.example.org')?.id).toBe('1');
    expect(zoneOf(zones, 'example.org')?.id).toBe('1');
    expect(zoneOf(zones, 'wiki.badexample.org')).toBeNull();
    expect(zoneOf(zones, 'wiki.example.com')).toBeNull();
  });

  it('names the record relative to it, @ at the apex', () => {
    expect(relativeName({ id: '2', name: 'apps.example.org' }, 'wiki.apps.example.org')).toBe('wiki');
    expect(relativeName({ id: '1', name: 'example.org' }, 'a.b.example.org')).toBe('a.b');
    expect(relativeName({ id: '1', name: 'example.org' }, 'example.org')).toBe('@');
  });
});
