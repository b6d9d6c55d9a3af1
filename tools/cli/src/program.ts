import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error.js';
import { registrationsFor } from './commands/index.js';

/** The program with the commands `argv` needs registered (see `registrationsFor`). */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('commons')
    .description('OneCommons platform command line: replay, allocate, ledger, payouts, demo')
    .showHelpAfterError()
    .exitOverride();
  for (const register of await registrationsFor(argv)) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code; usage errors exit 2 like invalid input. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
    }
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`commons: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.failed;
  }
}
