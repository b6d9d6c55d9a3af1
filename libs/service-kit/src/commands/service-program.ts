import { Command, CommanderError, type OptionValues, type OutputConfiguration } from 'commander';
import { migrate, serve } from '../bootstrap.js';
import { replayCommand } from '../replay/replay-command.js';
import { type ServiceConfig } from '../service-config.js';
import { type ServiceDefinition } from '../service-definition.js';
import { type ServiceCommand } from './service-command.js';

/** Bad arguments: nothing was done. */
const USAGE_ERROR_EXIT = 2;

/**
 * The command line of a service process: `serve` (the default), `migrate`, `replay` and the commands its
 * definition declares. Help and usage errors go to stderr (stdout carries only the commands' report lines); a
 * usage error exits 2.
 */
export async function runServiceCommand<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  argv: readonly string[],
): Promise<void> {
  const program = serviceProgram(definition.service, [
    ...commonCommands(definition),
    ...(definition.commands ?? []),
  ]);
  try {
    await program.parseAsync(argv.length === 0 ? ['serve'] : [...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR_EXIT);
  }
}

function commonCommands<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
): ServiceCommand[] {
  return [
    {
      name: 'serve',
      description: 'run the service (HTTP and Kafka) until SIGTERM; the default command',
      action: () => serve(definition),
    },
    {
      name: 'migrate',
      description: "create or update the service's schema, role and tables; prints what it applied",
      action: () => migrate(definition),
    },
    replayCommand(definition),
  ];
}

function serviceProgram(service: string, commands: readonly ServiceCommand[]): Command {
  const program = new Command(service).exitOverride().configureOutput(outputTo(service));
  for (const declared of commands) {
    const command = program
      .command(declared.name)
      .description(declared.description)
      .configureOutput(outputTo(`${service} ${declared.name}`))
      .action((options: OptionValues) => declared.action(options));
    for (const option of declared.options ?? []) command.addOption(option);
  }
  const names = commands.map((command) => command.name).join(', ');
  program.on('command:*', ([name]: string[]) =>
    program.error(`unknown command ${name} (expected ${names})`, { code: 'commander.unknownCommand' }),
  );
  return program;
}

/** Help and errors on stderr, errors as `<service> <command>: <what>` like every other message of a command. */
function outputTo(prefix: string): OutputConfiguration {
  return {
    writeOut: (text) => process.stderr.write(text),
    writeErr: (text) => process.stderr.write(text),
    outputError: (text, write) => write(`${prefix}: ${text.replace(/^error: /, '')}`),
  };
}
