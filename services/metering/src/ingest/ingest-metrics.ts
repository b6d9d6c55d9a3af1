import { everyCombination, startAtZero } from '@onecommons/telemetry';
import { Counter, register } from 'prom-client';
import { type Outcome } from './ingestion-rules.js';
import { REJECTION_CODES } from './usage-event.js';

const NAME = 'onecommons_metering_events_total';

// Integration tests boot several apps in one process: the counter is created once and then reused.
const events =
  (register.getSingleMetric(NAME) as Counter<'outcome' | 'reason'> | undefined) ?? eventCounter();

function eventCounter(): Counter<'outcome' | 'reason'> {
  const counter = new Counter({
    name: NAME,
    help: 'Usage and correction events received, by outcome (accepted, duplicate, rejected) and rejection reason',
    labelNames: ['outcome', 'reason'] as const,
  });
  startAtZero(counter, [
    ...everyCombination({ outcome: ['accepted', 'duplicate'], reason: [''] }),
    ...everyCombination({ outcome: ['rejected'], reason: REJECTION_CODES }),
  ]);
  return counter;
}

/** Counts each event's outcome; `reason` is the rejection code, empty for accepted and duplicate events. */
export function countOutcomes(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes)
    events.inc({ outcome: outcome.status, reason: outcome.status === 'rejected' ? outcome.code : '' });
}
