export const RECONCILE_RESULTS = [
  'converged',
  'progressing',
  'waiting',
  'retrying',
  'failed',
  'skipped',
] as const;

/** How a pass ended, for `onecommons_provisioner_reconcile_total{result}` (beside `error`: the pass threw). */
export type ReconcileResult = (typeof RECONCILE_RESULTS)[number];
