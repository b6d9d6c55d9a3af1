import { userInfo } from 'node:os';
import { runLedgerCommand } from '../ledger-command.js';
import { adjustOutcomeDto } from './adjustment-views.js';
import { PeriodAdjuster } from './period-adjuster.js';

export interface AdjustCommandOptions {
  readonly period: string;
  /** Checked by `adjustmentReasonSchema`, as the API checks it. */
  readonly reason: string;
}

/**
 * `adjust --period P --reason TEXT`: adjusts a closed period from the command line (what `commons period adjust`
 * runs), like `POST …/periods/{P}/adjustments`. Prints one JSON line; exits 1 when the period is not closed.
 */
export async function runAdjustCommand({ period, reason }: AdjustCommandOptions): Promise<never> {
  return runLedgerCommand('adjust', async (app) =>
    adjustOutcomeDto(
      period,
      await app.get(PeriodAdjuster).adjust(period, { reason, adjustedBy: `cli:${userInfo().username}` }),
    ),
  );
}
