import { NestFactory } from '@nestjs/core';
import { ApiError, loadConfigOrExit, periodArgumentOrExit, rootModuleOf } from '@onecommons/service-kit';
import { ledgerConfigSchema } from '../config.js';
import { ledgerService } from '../ledger.definition.js';
import { PeriodCloser } from './period-closer.js';
import { UsageNotConsumedError } from './usage-not-consumed.error.js';

/** The exit status of a close that waits for usage: nothing is wrong, ask again later. */
export const CLOSE_PENDING_EXIT = 3;

/**
 * `close --period P [--force] [--wait SECONDS]`: closes a period from the command line (what `commons period
 * close` runs), like the admin endpoint. No relay and no consumer in this process: the serving ledger publishes
 * the close request and applies the usage. Waits for the period's usage up to SECONDS (default
 * LEDGER_CLOSE_WAIT_SECONDS). Prints one JSON line; exits 2 for bad arguments, 1 when the period may not close,
 * 3 when it waits for usage (the line then shows the lag; the scheduler closes it once caught up).
 */
export async function runCloseCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('ledger close', argv);
  const force = argv.includes('--force');
  const waitSeconds = waitArgumentOrExit(argv);
  const config = loadConfigOrExit('ledger', ledgerConfigSchema);
  const app = await NestFactory.createApplicationContext(
    rootModuleOf(ledgerService, config, { mode: 'replay' }),
    {
      logger: ['error', 'warn'],
    },
  );
  try {
    const result = await app
      .get(PeriodCloser)
      .close(period, { force, ...(waitSeconds === undefined ? {} : { waitSeconds }) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await app.close();
    process.exit(0);
  } catch (error) {
    await app.close().catch(() => undefined);
    if (error instanceof UsageNotConsumedError) {
      process.stdout.write(
        `${JSON.stringify({ period, status: 'usage_not_consumed', usageWatermark: error.lag, retryAfterSeconds: error.retryAfterSeconds })}\n`,
      );
      process.stderr.write(`ledger close: ${error.message}\n`);
      process.exit(CLOSE_PENDING_EXIT);
    }
    if (error instanceof ApiError) {
      process.stderr.write(`ledger close: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
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
