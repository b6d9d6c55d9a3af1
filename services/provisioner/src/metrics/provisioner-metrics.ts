import { everyCombination, startAtZero } from '@onecommons/telemetry';
import { Counter, Gauge, register } from 'prom-client';
import { RECONCILE_RESULTS } from '../reconcile/reconcile-result.js';

function counter<Label extends string>(
  name: string,
  help: string,
  labelNames: readonly Label[],
): Counter<Label> {
  return (
    (register.getSingleMetric(name) as Counter<Label> | undefined) ?? new Counter({ name, help, labelNames })
  );
}

/** Reconcile passes by outcome: converged, waiting (action running, rate budget), retrying, failed, error. */
export const reconcileTotal = counter(
  'onecommons_provisioner_reconcile_total',
  'Reconcile passes by result',
  ['result'],
);
startAtZero(reconcileTotal, everyCombination({ result: [...RECONCILE_RESULTS, 'error'] }));

/**
 * Calls to cloud APIs by provider API and HTTP status (or `timeout`, `network_error`). Not started at zero: the
 * status is whatever the provider answers; the alerts read the reconcile results.
 */
export const providerApiCalls = counter(
  'onecommons_provider_api_calls_total',
  'Cloud provider API calls by provider and status',
  ['provider', 'status'],
);

/** Deployments by phase, refreshed by the reconcile loop (every phase, zeros included). */
export const deploymentsByPhase =
  (register.getSingleMetric('onecommons_deployments') as Gauge<'phase'> | undefined) ??
  new Gauge({ name: 'onecommons_deployments', help: 'Deployments by phase', labelNames: ['phase'] as const });
