import { describe, expect, it } from '@jest/globals';
import { hashTagOf, keySlotOf } from './redis-cluster-slot.js';

describe('keySlotOf', () => {
  it('matches the slots Redis Cluster gives (CLUSTER KEYSLOT)', () => {
    // The CRC16 check value of "123456789" is 0x31C3; the others are answers of a real cluster.
    expect(keySlotOf('123456789')).toBe(0x31c3);
    expect(keySlotOf('foo')).toBe(12_182);
    expect(keySlotOf('bar')).toBe(5_061);
  });

  it('hashes only the hash tag when there is one', () => {
    expect(keySlotOf('{user1000}.following')).toBe(keySlotOf('user1000'));
    expect(keySlotOf('{onecommons:ledger}:period-close:meta')).toBe(keySlotOf('onecommons:ledger'));
  });
});

describe('hashTagOf', () => {
  it('takes the first braces with something inside, as Redis does', () => {
    expect(hashTagOf('{a}:{b}')).toBe('a');
    expect(hashTagOf('foo{}{bar}')).toBeUndefined();
    expect(hashTagOf('foo{{bar}}zap')).toBe('{bar');
    expect(hashTagOf('oc:ledger:period-close')).toBeUndefined();
  });
});
