import { describe, expect, it } from '@jest/globals';
import { lagOf } from './consumer-lag.js';

describe('lagOf', () => {
  it('counts the messages from the committed offset to the high watermark', () => {
    expect(lagOf('40', '0', '52')).toBe(12);
    expect(lagOf('52', '0', '52')).toBe(0);
  });

  it('counts everything still on the log for a group that never committed (it starts from the beginning)', () => {
    expect(lagOf(null, '0', '7')).toBe(7);
    expect(lagOf(null, '5', '7')).toBe(2);
    expect(lagOf(null, '0', '0')).toBe(0);
  });

  it('resumes at the first retained message when the committed offset fell off the log', () => {
    expect(lagOf('3', '10', '25')).toBe(15);
  });

  it('is never negative (a committed offset past the end, as after a topic was recreated)', () => {
    expect(lagOf('30', '0', '25')).toBe(0);
  });

  it('takes offsets beyond 2^53 as they are', () => {
    expect(lagOf('9007199254740993', '0', '9007199254741000')).toBe(7);
  });
});
