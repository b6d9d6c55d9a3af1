import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import './period-close-metrics.js';

describe("the ledger's close metrics", () => {
  it('expose every close outcome at 0, and the close duration with no observation, before the first close', async () => {
    const text = await register.metrics();
    for (const outcome of ['succeeded', 'failed', 'usage_not_consumed', 'usage_beyond_watermark'])
      expect(text).toContain(`onecommons_ledger_period_closes_total{outcome="${outcome}"} 0`);
    expect(text).toContain('onecommons_ledger_period_close_duration_seconds_count 0');
  });
});
