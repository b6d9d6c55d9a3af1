import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { type DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PayoutMetrics } from './payout-metrics.js';
import { PayoutsRepository } from './payouts.repository.js';

describe("payouts' counters", () => {
  it('expose every state entered and every rail call outcome at 0 before the first payout', async () => {
    const noPayouts = { manager: { query: async () => [] } } as unknown as DataSource;
    const config = { PAYOUTS_THRESHOLDS_MINOR: new Map([['EUR', 1_000n]]) } as unknown as PayoutsConfig;
    new PayoutMetrics(noPayouts, new PayoutsRepository(), config).onModuleInit();
    const text = await register.metrics();
    for (const state of ['scheduled', 'submitting', 'submitted', 'succeeded', 'failed', 'reversed'])
      expect(text).toContain(`onecommons_payouts_transitions_total{state="${state}"} 0`);
    for (const rail of ['stripe', 'bank'])
      for (const outcome of ['paid', 'declined', 'unavailable', 'error'])
        expect(text).toContain(`onecommons_payouts_rail_calls_total{rail="${rail}",outcome="${outcome}"} 0`);
  });
});
