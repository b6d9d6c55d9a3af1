import { type Command } from 'commander';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';
import { runServiceProcess, serviceEnvFile } from '../service-process.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

interface PeriodCloseOptions {
  readonly period: string;
  readonly force?: boolean;
  readonly envFile?: string;
}

interface PeriodAdjustOptions {
  readonly period: string;
  readonly reason?: string;
  readonly envFile?: string;
}

const ENV_FILE_HELP = "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)";

/**
 * `commons period close --period P [--force]`: what `POST /api/ledger/v1/periods/{P}/close` does;
 * `commons period adjust --period P --reason TEXT`: what `POST /api/ledger/v1/periods/{P}/adjustments` does.
 */
export function registerPeriodCommand(program: Command): void {
  const period = program.command('period').description('allocation periods of the ledger');
  period
    .command('close')
    .description('close a period: allocate its subscribers’ tokens and post them (idempotent)')
    .requiredOption('--period <YYYY-MM>', 'the period to close')
    .option('--force', 'close a period that has not ended (demos, tests)')
    .option('--env-file <path>', ENV_FILE_HELP)
    .action(async (options: PeriodCloseOptions) => {
      validPeriod(options.period);
      await runLedger(
        'close',
        ['close', '--period', options.period, ...(options.force ? ['--force'] : [])],
        options,
      );
    });
  period
    .command('adjust')
    .description(
      'adjust a closed period: apply the usage corrections waiting for it and post the difference in the current period (posts nothing when none waits)',
    )
    .requiredOption('--period <YYYY-MM>', 'the closed period to adjust')
    .option('--reason <text>', 'why (kept with the adjustment and shown in statements; required)')
    .option('--env-file <path>', ENV_FILE_HELP)
    .action(async (options: PeriodAdjustOptions) => {
      validPeriod(options.period);
      const reason = options.reason?.trim() ?? '';
      if (reason.length === 0)
        throw new InvalidInputError('--reason', 'required: say why the period is adjusted');
      if (reason.length > 500) throw new InvalidInputError('--reason', 'at most 500 characters');
      await runLedger('adjust', ['adjust', '--period', options.period, '--reason', reason], options);
    });
}

function validPeriod(period: string): void {
  if (!PERIOD.test(period)) throw new InvalidInputError('--period', `expected YYYY-MM, got "${period}"`);
}

/** Runs the ledger's own one-shot command and prints its JSON line (exit 1 when it refused, 2 bad input). */
async function runLedger(
  name: string,
  args: readonly string[],
  options: { readonly envFile?: string | undefined },
): Promise<void> {
  const { code, stdout, stderr } = await runServiceProcess(
    'ledger',
    args,
    serviceEnvFile('ledger', options.envFile),
  );
  const result = stdout.split('\n').find((line) => line.startsWith('{"period"'));
  if (code !== 0 || !result) {
    process.stderr.write(stderr);
    throw new CliError(
      `period ${name}: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`,
      code === 2 ? ExitCode.invalidInput : ExitCode.failed,
    );
  }
  process.stdout.write(`${result}\n`);
}
