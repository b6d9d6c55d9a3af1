import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import '../periods/period-sealer.js';
import './ingest-metrics.js';
import { REJECTION_CODES } from './usage-event.js';

describe("metering's counters", () => {
  it('expose every ingest outcome and rejection reason, and every seal, at 0 before anything happened', async () => {
    const text = await register.metrics();
    for (const outcome of ['accepted', 'duplicate'])
      expect(text).toContain(`onecommons_metering_events_total{outcome="${outcome}",reason=""} 0`);
    for (const reason of REJECTION_CODES)
      expect(text).toContain(`onecommons_metering_events_total{outcome="rejected",reason="${reason}"} 0`);
    for (const reason of ['close_requested', 'period_closed'])
      for (const outcome of ['sealed', 'republished'])
        expect(text).toContain(
          `onecommons_metering_period_seals_total{reason="${reason}",outcome="${outcome}"} 0`,
        );
  });
});
