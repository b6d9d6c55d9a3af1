import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { RECONCILE_RESULTS } from '../reconcile/reconcile-result.js';
import './provisioner-metrics.js';

describe("the provisioner's counters", () => {
  it('expose every reconcile result, error included, at 0 before the first pass', async () => {
    const text = await register.metrics();
    for (const result of [...RECONCILE_RESULTS, 'error'])
      expect(text).toContain(`onecommons_provisioner_reconcile_total{result="${result}"} 0`);
  });
});
