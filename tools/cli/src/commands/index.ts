import { type Command } from 'commander';
import { registerAllocateCommand } from './allocate.js';

/** Every subcommand of `commons`, each registered by its own module. */
export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [registerAllocateCommand];
