import { LedgerVerifyReportContract, reportLine } from '@onecommons/contracts';
import { sessionDatabaseUrlOf } from '@onecommons/persistence';
import { loadConfigOrExit } from '@onecommons/service-kit';
import pg from 'pg';
import { ledgerConfigSchema } from '../config.js';
import { verifyLedger } from './ledger-verifier.js';

/**
 * `verify`: checks the ledger of this service's schema, as its runtime role (read-only), prints one JSON
 * line `{"report": …}` and exits 0 when every check holds, 1 naming the first violation on stderr.
 */
export async function runVerifyCommand(): Promise<never> {
  const config = loadConfigOrExit('ledger', ledgerConfigSchema);
  const schema = config.DATABASE_SCHEMA ?? 'ledger';
  const client = new pg.Client({
    connectionString: sessionDatabaseUrlOf(config), // SET search_path outlives a transaction
    application_name: 'ledger:verify',
  });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
    const report = await verifyLedger(client, config.LEDGER_CURRENCY);
    process.stdout.write(reportLine(LedgerVerifyReportContract, { schema, ...report }));
    if (report.firstViolation) process.stderr.write(`ledger verify: ${report.firstViolation}\n`);
    await client.end();
    process.exit(report.ok ? 0 : 1);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
