import { describe, expect, it } from '@jest/globals';
import { type DemoSeedFile } from './demo-seed.js';
import { demoSummary } from './demo-summary.js';

const seed = {
  gateway: 'http://127.0.0.1:8080',
  period: '2026-11',
  subscribers: [{ id: 'sub-1', email: 's@x', accessToken: 't' }],
  payees: [{ payee: 'provider:p1', label: 'P1', payoutAccount: 'Stripe acct_1' }],
} as unknown as DemoSeedFile;

describe('demoSummary', () => {
  it('splits the revenue by role with shares, and totals the batch by outcome', () => {
    const text = demoSummary(
      seed,
      {
        period: '2026-11',
        eventsSent: 10,
        accepted: 10,
        duplicates: 0,
        bankFile: '/tmp/bank.xml',
        allocations: {
          total: '100000000',
          merkleRoot: 'f'.repeat(64),
          allocations: [
            { account: 'fund:general', amount: '5000000' },
            { account: 'operator:o1', amount: '45000000' },
            { account: 'provider:p1', amount: '30000000' },
            { account: 'member:m1', amount: '12500000' },
            { account: 'escrow:x', amount: '7500000' },
          ],
        },
        batch: {
          lines: [
            { outcome: 'paid', currency: 'EUR', payees: 2, amountMinor: '7500' },
            { outcome: 'carried', currency: 'EUR', payees: 1, amountMinor: '125' },
          ],
          payouts: [{ state: 'succeeded', currency: 'EUR', payouts: 2, amountMinor: '7500' }],
        },
      },
      '.local/dev/demo-seed.json',
    );
    expect(text).toMatch(/Revenue \(1 subscribers' fees\)\s+100\.00\s+100\.0%/);
    expect(text).toMatch(/General fund\s+5\.00\s+5\.0%/);
    expect(text).toMatch(/Site operators\s+1\s+45\.00\s+45\.0%/);
    expect(text).toMatch(/paid \(Stripe Connect transfers\)\s+2\s+75\.00/);
    expect(text).toMatch(/carried forward \(below threshold\)\s+1\s+1\.25/);
    expect(text).toContain('/tmp/bank.xml');
    expect(text).toContain('/api/payouts/v1/payees/provider:p1/statement?period=2026-11');
  });
});
