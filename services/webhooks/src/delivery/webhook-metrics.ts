import { Counter, register } from 'prom-client';

/** What one attempt came to: delivered, a retry scheduled, given up, the endpoint gone (410), refused (SSRF). */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'gone' | 'refused';

const METRIC = 'onecommons_webhook_deliveries_total';

export const webhookDeliveries =
  (register.getSingleMetric(METRIC) as Counter<'outcome'> | undefined) ??
  new Counter({
    name: METRIC,
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed, gone, refused)',
    labelNames: ['outcome'] as const,
  });
