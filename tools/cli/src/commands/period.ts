import { type Command } from 'commander';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';
import { runServiceProcess, serviceEnvFile } from '../service-process.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
/** `--wait` without a number: long enough for a large backlog, bounded. */
const DEFAULT_WAIT_SECONDS = 600;

interface PeriodCloseOptions {
  readonly period: string;
  readonly force?: boolean;
  readonly wait?: string | true;
  readonly envFile?: string;
}

interface PeriodAdjustOptions {
  readonly period: string;
  readonly reason?: string;
  readonly envFile?: string;
}

const ENV_FILE_HELP = "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)";

/**
 * `commons period close --period P [--force] [--wait [SECONDS]]`: what `POST /api/ledger/v1/periods/{P}/close`
 * does. A close waits until the ledger has applied every usage event metering announced for the period; without
 * `--wait` it waits the ledger's LEDGER_CLOSE_WAIT_SECONDS, then prints the lag and exits 3 (the ledger's
 * scheduler closes the period once caught up).
 * `commons period adjust --period P --reason TEXT`: what `POST /api/ledger/v1/periods/{P}/adjustments` does.
 */
export function registerPeriodCommand(program: Command): void {
  const period = program.command('period').description('allocation periods of the ledger');
  period
    .command('close')
    .description('close a period: allocate its subscribers’ tokens and post them (idempotent)')
    .requiredOption('--period <YYYY-MM>', 'the period to close')
    .option('--force', 'close a period that has not ended (demos, tests)')
    .option(
      '--wait [seconds]',
      `wait up to this long for the ledger to apply the period's usage (default ${DEFAULT_WAIT_SECONDS} s)`,
    )
    .option('--env-file <path>', ENV_FILE_HELP)
    .action(async (options: PeriodCloseOptions) => {
      validPeriod(options.period);
      const wait = waitSeconds(options.wait);
      await runLedger(
        'close',
        [
          'close',
          '--period',
          options.period,
          ...(options.force ? ['--force'] : []),
          ...(wait === undefined ? [] : ['--wait', String(wait)]),
        ],
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

function waitSeconds(wait: string | true | undefined): number | undefined {
  if (wait === undefined) return undefined;
  if (wait === true) return DEFAULT_WAIT_SECONDS;
  if (!/^\d{1,6}$/.test(wait))
    throw new InvalidInputError('--wait', `expected a number of seconds, got "${wait}"`);
  return Number(wait);
}

/**
 * Runs the ledger's own one-shot command and prints its JSON line: exit 1 when it refused, 2 bad input, 3 when
 * a close still waits for usage (the line then shows the lag, for the caller and scripts to read).
 */
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
  const lastLine = stderr.trim().split('\n').at(-1) ?? `exit ${code}`;
  if (code === ExitCode.pending && result) {
    process.stdout.write(`${result}\n`);
    throw new CliError(`period ${name}: ${lastLine}`, ExitCode.pending);
  }
  if (code !== 0 || !result) {
    process.stderr.write(stderr);
    throw new CliError(`period ${name}: ${lastLine}`, code === 2 ? ExitCode.invalidInput : ExitCode.failed);
  }
  process.stdout.write(`${result}\n`);
}
