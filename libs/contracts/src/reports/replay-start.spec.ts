import { describe, expect, it } from '@jest/globals';
import { parseReplayStart } from './replay-start.js';

describe('parseReplayStart', () => {
  it('reads earliest, a date, and a time with its zone', () => {
    expect(parseReplayStart('earliest')).toEqual({ kind: 'earliest' });
    expect(parseReplayStart('2026-12-01')).toEqual({ kind: 'time', at: new Date('2026-12-01') });
    expect(parseReplayStart('2026-12-01T10:00:00+01:00')).toEqual({
      kind: 'time',
      at: new Date('2026-12-01T09:00:00Z'),
    });
  });

  it('refuses anything else, an impossible date included', () => {
    for (const value of ['yesterday', '2026-13-01', '2026-12-01T10:00', '1733050000', ''])
      expect(parseReplayStart(value)).toBeUndefined();
  });
});
