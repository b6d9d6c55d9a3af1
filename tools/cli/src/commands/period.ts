import { type Command } from 'commander';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';
import { runServiceProcess, serviceEnvFile } from '../service-process.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

interface PeriodCloseOptions {
  readonly period: string;
  readonly force?: boolean;
  readonly envFile?: string;
}

/** `commons period close --period P [--force]`: what `POST /api/ledger/v1/periods/{P}/close` does. */
export function registerPeriodCommand(program: Command): void {
  const period = program.command('period').description('allocation periods of the ledger');
  period
    .command('close')
    .description('close a period: allocate its subscribers’ tokens and post them (idempotent)')
    .requiredOption('--period <YYYY-MM>', 'the period to close')
    .option('--force', 'close a period that has not ended (demos, tests)')
    .option(
      '--env-file <path>',
      "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)",
    )
    .action(async (options: PeriodCloseOptions) => {
      if (!PERIOD.test(options.period))
        throw new InvalidInputError('--period', `expected YYYY-MM, got "${options.period}"`);
      const { code, stdout, stderr } = await runServiceProcess(
        'ledger',
        ['close', '--period', options.period, ...(options.force ? ['--force'] : [])],
        serviceEnvFile('ledger', options.envFile),
      );
      const result = stdout.split('\n').find((line) => line.startsWith('{"period"'));
      if (code !== 0 || !result) {
        process.stderr.write(stderr);
        throw new CliError(
          `period close: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`,
          code === 2 ? ExitCode.invalidInput : ExitCode.failed,
        );
      }
      process.stdout.write(`${result}\n`);
    });
}
