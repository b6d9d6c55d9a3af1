import { everyCombination, processCounter } from '@onecommons/telemetry';

/** What one attempt came to: delivered, a retry scheduled, given up, the endpoint gone (410), refused (SSRF). */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'gone' | 'refused';
const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'retrying', 'failed', 'gone', 'refused'];

export const webhookDeliveries = processCounter(
  {
    name: 'onecommons_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed, gone, refused)',
    labelNames: ['outcome'],
  },
  everyCombination({ outcome: ATTEMPT_OUTCOMES }),
);

/** An owner disabling an endpoint is not counted. */
export const endpointsDisabled = processCounter({
  name: 'onecommons_webhook_endpoints_disabled_total',
  help: 'Endpoints the platform disabled because their receiver answered 410 Gone',
});
