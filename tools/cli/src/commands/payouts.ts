import {
  findReport,
  PayablesReportContract,
  PayoutsReportContract,
  reconcilePayoutReports,
  type ReportContract,
} from '@onecommons/contracts';
import { type Command } from 'commander';
import { type z } from 'zod';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';
import { REPO_ROOT, runServiceProcess } from '../service-process.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

interface ReconcileOptions {
  readonly period: string;
  readonly json?: boolean;
  readonly envDir?: string;
}

/** `commons payouts reconcile --period P [--json]`: ledger, payouts and the rail agree, or exit 1 saying where not. */
export function registerPayoutsCommand(program: Command): void {
  const payouts = program.command('payouts').description('payouts of payable balances');
  payouts
    .command('reconcile')
    .description(
      'compare the ledger’s redeemed, adjusted and payable amounts with payouts paid, carried forward and held, and with the rail’s transfers',
    )
    .requiredOption('--period <YYYY-MM>', 'the period (its redemptions and its payout batch)')
    .option('--json', 'print the result as one JSON line (the last line)')
    .option(
      '--env-dir <dir>',
      'where ledger.env and payouts.env are (default: the dev stack’s .local/dev/env)',
    )
    .action(async (options: ReconcileOptions) => {
      if (!PERIOD.test(options.period))
        throw new InvalidInputError('--period', `expected YYYY-MM, got "${options.period}"`);
      const envDir = options.envDir ?? path.join(REPO_ROOT, '.local/dev/env');
      if (options.envDir !== undefined && !existsSync(envDir))
        throw new InvalidInputError('--env-dir', `no such directory: ${envDir}`);
      const envFile = (service: string) => {
        const file = path.join(envDir, `${service}.env`);
        return existsSync(file) ? file : undefined;
      };
      const ledger = await reportOf(
        PayablesReportContract,
        'ledger',
        ['payables', '--period', options.period],
        envFile('ledger'),
      );
      // In the ledger's one currency: payouts may hold others, which no ledger payable backs.
      const payoutsSide = await reportOf(
        PayoutsReportContract,
        'payouts',
        ['reconcile', '--period', options.period, '--currency', ledger.currency],
        envFile('payouts'),
      );
      const result = reconcilePayoutReports(ledger, payoutsSide);
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `payouts ${result.period} (${result.currency}, minor units): ${result.payouts} payouts, paid ${result.paid}, ` +
            `in flight ${result.inFlight}, returned ${result.returned}, carried ${result.carried}, held ${result.held}, ` +
            `owing ${result.owing}; redeemed ${result.redeemed}, adjusted ${result.adjusted}; duplicates ${result.duplicates}\n`,
        );
        for (const problem of result.problems) process.stdout.write(`  ${problem}\n`);
        process.stdout.write(result.consistent ? 'consistent\n' : 'NOT consistent\n');
      }
      if (!result.consistent)
        throw new CliError(`payouts reconcile: ${result.problems[0] ?? 'inconsistent'}`, ExitCode.failed);
    });
}

async function reportOf<Schema extends z.ZodType>(
  contract: ReportContract<Schema>,
  service: string,
  args: readonly string[],
  envFile: string | undefined,
) {
  const { code, stdout, stderr } = await runServiceProcess(service, args, envFile);
  const report = code === 0 ? findReport(contract, stdout) : undefined;
  if (report === undefined) {
    process.stderr.write(stderr);
    throw new CliError(
      `${service} ${args[0] ?? ''}: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`,
      code === 2 ? ExitCode.invalidInput : ExitCode.failed,
    );
  }
  return report;
}
