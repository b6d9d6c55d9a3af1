import { runLedgerCommand } from '../ledger-command.js';
import { PeriodCloser } from './period-closer.js';
import { UsageNotConsumedError } from './usage-not-consumed.error.js';

/** The exit status of a close that waits for usage: nothing is wrong, ask again later. */
export const CLOSE_PENDING_EXIT = 3;

export interface CloseCommandOptions {
  readonly period: string;
  readonly force?: boolean;
  /** Seconds to wait for the period's usage; LEDGER_CLOSE_WAIT_SECONDS without it. */
  readonly wait?: number;
}

/**
 * `close --period P [--force] [--wait SECONDS]`: closes a period from the command line (what `commons period
 * close` runs), like the admin endpoint. Prints one JSON line; exits 1 when the period may not close, 3 when it
 * waits for usage (the line then shows the lag; the scheduler closes it once caught up).
 */
export async function runCloseCommand({ period, force = false, wait }: CloseCommandOptions): Promise<never> {
  return runLedgerCommand(
    'close',
    (app) =>
      app.get(PeriodCloser).close(period, { force, ...(wait === undefined ? {} : { waitSeconds: wait }) }),
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
