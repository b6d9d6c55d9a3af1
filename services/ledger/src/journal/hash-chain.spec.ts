import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  canonicalTransaction,
  ChainHasher,
  chainHash,
  type ChainedTransaction,
  GENESIS_HASH,
} from './hash-chain.js';

const transaction: ChainedTransaction = {
  seq: 1n,
  key: 'payment:p1',
  kind: 'mint',
  period: '2026-03',
  memo: { tokens: '10', paymentId: 'p1' },
  entries: [
    { line: 2, account: 'treasury:reserve', unit: 'EUR', amount: 10n },
    { line: 1, account: 'payments:received', unit: 'EUR', amount: -10n },
  ],
};

describe('the hash chain', () => {
  it('serialises canonically: memo keys sorted, entries by line, amounts as strings', () => {
    expect(canonicalTransaction(transaction)).toBe(
      '["1","payment:p1","mint","2026-03",[["paymentId","p1"],["tokens","10"]],' +
        '[[1,"payments:received","EUR","-10"],[2,"treasury:reserve","EUR","10"]]]',
    );
  });

  it('links each hash to the previous one, and any change to the contents changes it', () => {
    const first = chainHash(GENESIS_HASH, transaction);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...transaction, memo: { paymentId: 'p1', tokens: '10' } })).toBe(first);
    expect(chainHash(first, transaction)).not.toBe(first);
    const tampered = {
      ...transaction,
      entries: transaction.entries.map((entry) => ({ ...entry, amount: entry.amount * 2n })),
    };
    expect(chainHash(GENESIS_HASH, tampered)).not.toBe(first);
  });

  it('hashes entry by entry to the same value as the whole transaction (large closes stream their entries)', () => {
    const large: ChainedTransaction = {
      ...transaction,
      key: 'close:2026-03',
      memo: { merkleRoot: 'a"b\\c', total: '3' },
      entries: Array.from({ length: 1000 }, (_, index) => ({
        line: index + 1,
        account: `escrow:${index}:2026-03`,
        unit: 'uCC',
        amount: BigInt(index % 7) - 3n,
      })),
    };
    for (const entries of [large.entries, large.entries.slice(0, 1), []]) {
      const hasher = new ChainHasher(GENESIS_HASH, large);
      for (const entry of entries) hasher.add(entry);
      expect(hasher.digest()).toBe(
        createHash('sha256')
          .update(`${GENESIS_HASH}\n${canonicalTransaction({ ...large, entries })}`)
          .digest('hex'),
      );
      expect(JSON.parse(canonicalTransaction({ ...large, entries })) as unknown[]).toHaveLength(6);
    }
  });
});
