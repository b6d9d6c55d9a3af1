import { type Command } from 'commander';

type Registration = (program: Command) => void;

/**
 * Every subcommand of `commons`, by name, each registered by its own module. A module is loaded only when its
 * command runs (or for help): some pull in whole services, and tests run the CLI hundreds of times.
 */
export const COMMAND_MODULES: Readonly<Record<string, () => Promise<Registration>>> = {
  allocate: async () => (await import('./allocate.js')).registerAllocateCommand,
  demo: async () => (await import('./demo.js')).registerDemoCommand,
  dlq: async () => (await import('./dlq.js')).registerDlqCommand,
  docs: async () => (await import('./docs.js')).registerDocsCommand,
  ledger: async () => (await import('./ledger.js')).registerLedgerCommand,
  payouts: async () => (await import('./payouts.js')).registerPayoutsCommand,
  period: async () => (await import('./period.js')).registerPeriodCommand,
  replay: async () => (await import('./replay.js')).registerReplayCommand,
};

/** The registrations `argv` needs: its command's alone, or all of them (no command, help, an unknown one). */
export async function registrationsFor(argv: readonly string[]): Promise<Registration[]> {
  const named = argv.find((argument) => !argument.startsWith('-'));
  const load = named === undefined ? undefined : COMMAND_MODULES[named];
  if (load) return [await load()];
  return Promise.all(Object.values(COMMAND_MODULES).map((each) => each()));
}
