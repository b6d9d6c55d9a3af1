import { findReport, LedgerVerifyReportContract } from '@onecommons/contracts';
import { type Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import { runServiceProcess, serviceEnvFile } from '../service-process.js';

interface LedgerVerifyOptions {
  readonly json?: boolean;
  readonly envFile?: string;
}

/**
 * `commons ledger verify`: runs the ledger service's own `verify` command (the CLI never reads the ledger's
 * tables) and reports: exit 0 when every check holds, 1 naming the first violation.
 */
export function registerLedgerCommand(program: Command): void {
  const ledger = program.command('ledger').description('the double-entry ledger and its treasury');
  ledger
    .command('verify')
    .description(
      'check the hash chain, zero-sum transactions, balances, the reserve invariant, payables and refunds',
    )
    .option('--json', 'print the whole report as JSON')
    .option(
      '--env-file <path>',
      "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)",
    )
    .action(async (options: LedgerVerifyOptions) => {
      await runVerify(options);
    });
}

async function runVerify(options: LedgerVerifyOptions): Promise<void> {
  const { code, stdout, stderr } = await runServiceProcess(
    'ledger',
    ['verify'],
    serviceEnvFile('ledger', options.envFile),
  );
  const report = findReport(LedgerVerifyReportContract, stdout);
  if (!report) {
    process.stderr.write(stderr);
    if (code === 2 || code === 78)
      throw new CliError('ledger verify: invalid environment', ExitCode.invalidInput);
    throw new CliError(`ledger verify failed to run (exit ${code}); see the messages above`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const { reserve } = report;
    process.stdout.write(
      `ledger ${report.schema}: ${report.transactions} transactions, ${report.entries} entries, head ${report.head}\n` +
        `reserve ${reserve.reserve} ${reserve.currency}, outstanding ${reserve.outstanding} uCC at ` +
        `${reserve.price}, claims ${reserve.claims}, residue ${reserve.residue}\n` +
        (report.ok ? 'all checks hold\n' : ''),
    );
  }
  // Thrown, not set on process.exitCode: runCli's return value is what main.ts exits with.
  if (!report.ok) throw new CliError(`ledger verify: ${report.firstViolation ?? 'failed'}`, ExitCode.failed);
}
