/** How a pass ended, for `onecommons_provisioner_reconcile_total{result}`. */
export type ReconcileResult = 'converged' | 'progressing' | 'waiting' | 'retrying' | 'failed' | 'skipped';
