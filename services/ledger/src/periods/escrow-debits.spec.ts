import { describe, expect, it } from '@jest/globals';
import { EscrowDebits } from './escrow-debits.js';

describe('EscrowDebits', () => {
  it('gives back every subscriber and its tokens in order, across chunks', () => {
    const debits = new EscrowDebits();
    const added = Array.from({ length: 70_000 }, (_, index) => ({
      subscriberId: `0190a1b2-c3d4-7e5f-8a9b-${index.toString(16).padStart(12, '0')}`,
      tokens: BigInt(index + 1) * 1_000_003n,
    }));
    added.push({ subscriberId: 'ffffffff-ffff-4fff-bfff-ffffffffffff', tokens: 2n ** 64n - 1n });
    for (const row of added) debits.add(row.subscriberId, row.tokens);
    expect(debits.size).toBe(added.length);
    expect([...debits]).toEqual(added);
  });

  it('refuses what it cannot hold exactly', () => {
    const debits = new EscrowDebits();
    expect(() => debits.add('0190a1b2-c3d4-7e5f-8a9b-000000000001', 2n ** 64n)).toThrow(RangeError);
    expect(() => debits.add('0190a1b2-c3d4-7e5f-8a9b-000000000001', 0n)).toThrow(RangeError);
    expect(() => debits.add('not-a-uuid', 5n)).toThrow(RangeError);
    expect(debits.size).toBe(0);
  });
});
