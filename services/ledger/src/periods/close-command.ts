import { periodArgumentOrExit } from '@onecommons/service-kit';
import { runLedgerCommand } from '../ledger-command.js';
import { PeriodCloser } from './period-closer.js';

/**
 * `close --period P [--force]`: closes a period from the command line (what `commons period close` runs), like
 * the admin endpoint. Prints one JSON line; exits 2 for bad arguments, 1 when the period may not close yet.
 */
export async function runCloseCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('ledger close', argv);
  const force = argv.includes('--force');
  return runLedgerCommand('close', (app) => app.get(PeriodCloser).close(period, { force }));
}
