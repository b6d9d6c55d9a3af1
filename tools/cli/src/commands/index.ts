import { type Command } from 'commander';
import { registerAllocateCommand } from './allocate.js';
import { registerDemoCommand } from './demo.js';
import { registerDlqCommand } from './dlq.js';
import { registerDocsCommand } from './docs.js';
import { registerLedgerCommand } from './ledger.js';
import { registerPayoutsCommand } from './payouts.js';
import { registerPeriodCommand } from './period.js';
import { registerReplayCommand } from './replay.js';

/** Every subcommand of `commons`, each registered by its own module. */
export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [
  registerAllocateCommand,
  registerDemoCommand,
  registerDlqCommand,
  registerDocsCommand,
  registerLedgerCommand,
  registerPayoutsCommand,
  registerPeriodCommand,
  registerReplayCommand,
];
