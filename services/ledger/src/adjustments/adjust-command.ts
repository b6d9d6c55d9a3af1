import { userInfo } from 'node:os';
import { periodArgumentOrExit } from '@onecommons/service-kit';
import { runLedgerCommand } from '../ledger-command.js';
import { adjustmentReasonSchema, adjustOutcomeDto } from './adjustment-views.js';
import { PeriodAdjuster } from './period-adjuster.js';

/**
 * `adjust --period P --reason TEXT`: adjusts a closed period from the command line (what `commons period adjust`
 * runs), like `POST …/periods/{P}/adjustments`. Prints one JSON line; exits 2 for bad arguments, 1 when the
 * period is not closed.
 */
export async function runAdjustCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('ledger adjust', argv);
  const at = argv.indexOf('--reason');
  const reason = adjustmentReasonSchema.safeParse(at >= 0 ? argv[at + 1] : undefined);
  if (!reason.success) {
    process.stderr.write(`ledger adjust: --reason ${reason.error.issues[0]?.message ?? 'is required'}\n`);
    process.exit(2);
  }
  return runLedgerCommand('adjust', async (app) =>
    adjustOutcomeDto(
      period,
      await app
        .get(PeriodAdjuster)
        .adjust(period, { reason: reason.data, adjustedBy: `cli:${userInfo().username}` }),
    ),
  );
}
