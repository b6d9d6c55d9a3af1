import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../profile.js';
import { runInteractive } from '../stack/run-command.js';
import { UsageError } from './usage-error.js';

const BENCH_DIR = path.join(REPO_ROOT, 'tools/bench/dist/src');

export function availableBenchmarks(): string[] {
  if (!existsSync(BENCH_DIR)) return [];
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.js'))
    .map((file) => file.slice(0, -'.bench.js'.length))
    .sort();
}

/** `./dev bench <name> [--json]`: runs tools/bench's `<name>.bench.ts` on the built workspace. */
export async function runBenchmark(name: string | undefined, json: boolean): Promise<number> {
  const known = availableBenchmarks();
  if (!name || !known.includes(name)) {
    throw new UsageError(`bench: expected one of ${known.join(', ')}${name ? `, got "${name}"` : ''}`);
  }
  return runInteractive(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      '--expose-gc',
      path.join(BENCH_DIR, `${name}.bench.js`),
      ...(json ? ['--json'] : []),
    ],
    { cwd: REPO_ROOT },
  );
}
