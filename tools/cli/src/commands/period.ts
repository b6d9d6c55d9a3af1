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

/**
 * `commons period close --period P [--force] [--wait [SECONDS]]`: what `POST /api/ledger/v1/periods/{P}/close`
 * does. A close waits until the ledger has applied every usage event metering announced for the period; without
 * `--wait` it waits the ledger's LEDGER_CLOSE_WAIT_SECONDS, then prints the lag and exits 3 (the ledger's
 * scheduler closes the period once caught up).
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
    .option(
      '--env-file <path>',
      "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)",
    )
    .action(async (options: PeriodCloseOptions) => {
      if (!PERIOD.test(options.period))
        throw new InvalidInputError('--period', `expected YYYY-MM, got "${options.period}"`);
      const wait = waitSeconds(options.wait);
      const { code, stdout, stderr } = await runServiceProcess(
        'ledger',
        [
          'close',
          '--period',
          options.period,
          ...(options.force ? ['--force'] : []),
          ...(wait === undefined ? [] : ['--wait', String(wait)]),
        ],
        serviceEnvFile('ledger', options.envFile),
      );
      const result = stdout.split('\n').find((line) => line.startsWith('{"period"'));
      if (code === ExitCode.pending && result) {
        // Still waiting for usage: the lag, for the caller to see (and scripts to read).
        process.stdout.write(`${result}\n`);
        throw new CliError(`period close: ${lastLine(stderr, code)}`, ExitCode.pending);
      }
      if (code !== 0 || !result) {
        process.stderr.write(stderr);
        throw new CliError(
          `period close: ${lastLine(stderr, code)}`,
          code === 2 ? ExitCode.invalidInput : ExitCode.failed,
        );
      }
      process.stdout.write(`${result}\n`);
    });
}

function waitSeconds(wait: string | true | undefined): number | undefined {
  if (wait === undefined) return undefined;
  if (wait === true) return DEFAULT_WAIT_SECONDS;
  if (!/^\d{1,6}$/.test(wait))
    throw new InvalidInputError('--wait', `expected a number of seconds, got "${wait}"`);
  return Number(wait);
}

const lastLine = (stderr: string, code: number) => stderr.trim().split('\n').at(-1) ?? `exit ${code}`;
