import { NestFactory } from '@nestjs/core';
import { ApiError, loadConfigOrExit, periodArgumentOrExit, rootModuleOf } from '@onecommons/service-kit';
import { ledgerConfigSchema } from '../config.js';
import { ledgerService } from '../ledger.definition.js';
import { PeriodCloser } from './period-closer.js';

/**
 * `close --period P [--force]`: closes a period from the command line (what `commons period close` runs), like
 * the admin endpoint. No relay and no consumer in this process: the serving ledger publishes the outbox.
 * Prints one JSON line; exits 2 for bad arguments, 1 when the period may not close yet.
 */
export async function runCloseCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('ledger close', argv);
  const force = argv.includes('--force');
  const config = loadConfigOrExit('ledger', ledgerConfigSchema);
  const app = await NestFactory.createApplicationContext(
    rootModuleOf(ledgerService, config, { mode: 'replay' }),
    {
      logger: ['error', 'warn'],
    },
  );
  try {
    const result = await app.get(PeriodCloser).close(period, { force });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await app.close();
    process.exit(0);
  } catch (error) {
    await app.close().catch(() => undefined);
    if (error instanceof ApiError) {
      process.stderr.write(`ledger close: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
