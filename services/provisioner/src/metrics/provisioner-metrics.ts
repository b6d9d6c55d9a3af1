import { everyCombination, processCounter } from '@onecommons/telemetry';
import { Gauge, register } from 'prom-client';
import { RECONCILE_RESULTS } from '../reconcile/reconcile-result.js';

/** Reconcile passes by outcome: converged, waiting (action running, rate budget), retrying, failed, error. */
export const reconcileTotal = processCounter(
  {
    name: 'onecommons_provisioner_reconcile_total',
    help: 'Reconcile passes by result',
    labelNames: ['result'],
  },
  everyCombination({ result: [...RECONCILE_RESULTS, 'error'] }),
);

/**
 * Calls to cloud APIs by provider API and HTTP status (or `timeout`, `network_error`). Not started at zero: the
 * status is whatever the provider answers; the alerts read the reconcile results.
 */
export const providerApiCalls = processCounter({
  name: 'onecommons_provider_api_calls_total',
  help: 'Cloud provider API calls by provider and status',
  labelNames: ['provider', 'status'],
});

/** Deployments by phase, refreshed by the reconcile loop (every phase, zeros included). */
export const deploymentsByPhase =
  (register.getSingleMetric('onecommons_deployments') as Gauge<'phase'> | undefined) ??
  new Gauge({ name: 'onecommons_deployments', help: 'Deployments by phase', labelNames: ['phase'] as const });
