import { NestFactory } from '@nestjs/core';
import { periodSchema } from '@onecommons/contracts';
import { ApiError, loadConfigOrExit, rootModuleOf } from '@onecommons/service-kit';
import { ledgerConfigSchema } from '../config.js';
import { ledgerService } from '../ledger.definition.js';
import { PeriodCloser } from './period-closer.js';

/**
 * `close --period P [--force]`: closes a period from the command line (what `commons period close` runs), like
 * the admin endpoint. No relay and no consumer in this process: the serving ledger publishes the outbox.
 * Prints one JSON line; exits 2 for bad arguments, 1 when the period may not close yet.
 */
export async function runCloseCommand(argv: readonly string[]): Promise<never> {
  const periodAt = argv.indexOf('--period');
  const period = periodAt >= 0 ? argv[periodAt + 1] : undefined;
  const force = argv.includes('--force');
  if (!period || !periodSchema.safeParse(period).success) {
    process.stderr.write(`ledger close: --period must be a period, YYYY-MM (got ${period ?? 'nothing'})\n`);
    process.exit(2);
  }
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
