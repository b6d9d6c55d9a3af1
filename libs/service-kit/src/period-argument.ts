import { periodSchema } from '@onecommons/contracts';

/**
 * The `--period YYYY-MM` of a service's own command (`ledger close`, `ledger payables`, `payouts reconcile`);
 * anything else prints why and exits 2, as bad input to a command does.
 */
export function periodArgumentOrExit(command: string, argv: readonly string[]): string {
  const at = argv.indexOf('--period');
  const period = at >= 0 ? argv[at + 1] : undefined;
  if (!period || !periodSchema.safeParse(period).success) {
    process.stderr.write(`${command}: --period must be a period, YYYY-MM (got ${period ?? 'nothing'})\n`);
    process.exit(2);
  }
  return period;
}
