import { describe, expect, it } from '@jest/globals';
import { COMMAND_MODULES, registrationsFor } from './commands/index.js';
import { buildProgram } from './program.js';

const commandNames = (program: Awaited<ReturnType<typeof buildProgram>>) =>
  program.commands.map((command) => command.name()).sort();

describe('the commons program', () => {
  it('registers only the command it runs', async () => {
    expect(await registrationsFor(['ledger', 'verify', '--json'])).toHaveLength(1);
    expect(commandNames(await buildProgram(['period', 'close', '--period', '2026-01']))).toEqual(['period']);
  });

  it('registers every command for help, for no command and for an unknown one (which it can then name)', async () => {
    const every = Object.keys(COMMAND_MODULES).sort();
    for (const argv of [[], ['--help'], ['help', 'ledger'], ['nosuch']])
      expect(commandNames(await buildProgram(argv))).toEqual(every);
  });
});
