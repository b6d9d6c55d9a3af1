import { everyCombination, startAtZero } from '@onecommons/telemetry';
import { Counter, register } from 'prom-client';

/** What one attempt came to: delivered, a retry scheduled, given up, the endpoint gone (410), refused (SSRF). */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'gone' | 'refused';
const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'retrying', 'failed', 'gone', 'refused'];

const DELIVERIES = 'onecommons_webhook_deliveries_total';
const DISABLED = 'onecommons_webhook_endpoints_disabled_total';

// Integration tests boot several apps in one process: each counter is created once and then reused.
export const webhookDeliveries =
  (register.getSingleMetric(DELIVERIES) as Counter<'outcome'> | undefined) ?? deliveryCounter();

/** Unlabelled, so exposed at 0 from the start; an owner disabling an endpoint is not counted. */
export const endpointsDisabled =
  (register.getSingleMetric(DISABLED) as Counter | undefined) ??
  new Counter({
    name: DISABLED,
    help: 'Endpoints the platform disabled because their receiver answered 410 Gone',
  });

function deliveryCounter(): Counter<'outcome'> {
  const counter = new Counter({
    name: DELIVERIES,
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed, gone, refused)',
    labelNames: ['outcome'] as const,
  });
  startAtZero(counter, everyCombination({ outcome: ATTEMPT_OUTCOMES }));
  return counter;
}
