import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainError, loadConfigOrExit, rootModuleOf } from '@onecommons/service-kit';
import { ledgerConfigSchema } from './config.js';
import { ledgerService } from './ledger.definition.js';

/** A refusal that means "not yet": the command prints why as its JSON line and exits with its own status. */
export interface PendingOutcome {
  readonly line: unknown;
  readonly message: string;
  readonly exitCode: number;
}

/**
 * Runs one of the ledger's one-shot commands (`close`, `adjust`) on its modules, without a relay or a consumer:
 * the serving ledger publishes the outbox. Prints the result as one JSON line and exits 0; a refusal (a
 * DomainError, which the API would answer with its status) is printed on stderr and exits 1, unless `pendingOf`
 * reads it as "not yet".
 */
export async function runLedgerCommand(
  name: string,
  work: (app: INestApplicationContext) => Promise<unknown>,
  pendingOf: (error: unknown) => PendingOutcome | undefined = () => undefined,
): Promise<never> {
  const config = loadConfigOrExit('ledger', ledgerConfigSchema);
  const app = await NestFactory.createApplicationContext(
    rootModuleOf(ledgerService, config, { mode: 'command' }),
    {
      logger: ['error', 'warn'],
    },
  );
  try {
    const result = await work(app);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await app.close();
    process.exit(0);
  } catch (error) {
    await app.close().catch(() => undefined);
    const pending = pendingOf(error);
    if (pending) {
      process.stdout.write(`${JSON.stringify(pending.line)}\n`);
      process.stderr.write(`ledger ${name}: ${pending.message}\n`);
      process.exit(pending.exitCode);
    }
    if (error instanceof DomainError) {
      process.stderr.write(`ledger ${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
