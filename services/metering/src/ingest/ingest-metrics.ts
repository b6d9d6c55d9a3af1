import { everyCombination, processCounter } from '@onecommons/telemetry';
import { type Outcome } from './ingestion-rules.js';
import { REJECTION_CODES } from './usage-event.js';

const events = processCounter(
  {
    name: 'onecommons_metering_events_total',
    help: 'Usage and correction events received, by outcome (accepted, duplicate, rejected) and rejection reason',
    labelNames: ['outcome', 'reason'],
  },
  [
    ...everyCombination({ outcome: ['accepted', 'duplicate'], reason: [''] }),
    ...everyCombination({ outcome: ['rejected'], reason: REJECTION_CODES }),
  ],
);

/** Counts each event's outcome; `reason` is the rejection code, empty for accepted and duplicate events. */
export function countOutcomes(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes)
    events.inc({ outcome: outcome.status, reason: outcome.status === 'rejected' ? outcome.code : '' });
}
