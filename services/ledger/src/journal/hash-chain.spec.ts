import { describe, expect, it } from '@jest/globals';
import { canonicalTransaction, chainHash, type ChainedTransaction, GENESIS_HASH } from './hash-chain.js';

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
});
