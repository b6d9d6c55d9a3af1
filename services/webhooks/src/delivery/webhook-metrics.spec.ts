import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import './webhook-metrics.js';

describe("webhooks' counters", () => {
  it('expose every attempt outcome and the endpoints disabled at 0 before the first delivery', async () => {
    const text = await register.metrics();
    for (const outcome of ['succeeded', 'retrying', 'failed', 'gone', 'refused'])
      expect(text).toContain(`onecommons_webhook_deliveries_total{outcome="${outcome}"} 0`);
    expect(text).toContain('onecommons_webhook_endpoints_disabled_total 0');
  });
});
