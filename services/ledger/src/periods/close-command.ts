import { periodArgumentOrExit } from '@onecommons/service-kit';
import { runLedgerCommand } from '../ledger-command.js';
import { PeriodCloser } from './period-closer.js';
import { UsageNotConsumedError } from './usage-not-consumed.error.js';

/** The exit status of a close that waits for usage: nothing is wrong, ask again later. */
export const CLOSE_PENDING_EXIT = 3;

/**
 * `close --period P [--force] [--wait SECONDS]`: closes a period from the command line (what `commons period
 * close` runs), like the admin endpoint. Waits for the period's usage up to SECONDS (default
 * LEDGER_CLOSE_WAIT_SECONDS). Prints one JSON line; exits 2 for bad arguments, 1 when the period may not close,
 * 3 when it waits for usage (the line then shows the lag; the scheduler closes it once caught up).
 */
export async function runCloseCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('ledger close', argv);
  const force = argv.includes('--force');
  const waitSeconds = waitArgumentOrExit(argv);
  return runLedgerCommand(
    'close',
    (app) =>
      app.get(PeriodCloser).close(period, { force, ...(waitSeconds === undefined ? {} : { waitSeconds }) }),
    (error) =>
      error instanceof UsageNotConsumedError
        ? {
            line: {
              period,
              status: 'usage_not_consumed',
              usageWatermark: error.lag,
              retryAfterSeconds: error.retryAfterSeconds,
            },
            message: error.message,
            exitCode: CLOSE_PENDING_EXIT,
          }
        : undefined,
  );
}

function waitArgumentOrExit(argv: readonly string[]): number | undefined {
  const at = argv.indexOf('--wait');
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (!value || !/^\d{1,6}$/.test(value)) {
    process.stderr.write(`ledger close: --wait must be a number of seconds (got ${value ?? 'nothing'})\n`);
    process.exit(2);
  }
  return Number(value);
}
