import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describeStack, profileNamed, profileSecret, REPO_ROOT } from '../profile.js';
import { say } from '../stack/log.js';
import { runInteractive } from '../stack/run-command.js';
import { everythingDown, infrastructureUp, platformUp } from '../stack/stack.js';
import { UsageError } from './usage-error.js';

const BENCH_DIR = path.join(REPO_ROOT, 'tools/bench/dist/src');

/** Benchmarks that measure against real Kafka, Postgres and Redis; the others are pure computation. */
const NEEDS_STACK: ReadonlySet<string> = new Set([
  'backbone',
  'close',
  'ingest',
  'pipeline',
  'replay',
  'scale',
]);
/** Benchmarks that also need every service and the gateway (traffic through the platform's front door). */
const NEEDS_PLATFORM: ReadonlySet<string> = new Set(['ingest', 'pipeline']);

/** The benchmark's own options after `./dev bench <name>`, such as `--seconds 120`. */
const benchOptions = (name: string): string[] => {
  const argv = process.argv.slice(2);
  const start = argv.indexOf(name);
  return start < 0 ? [] : argv.slice(start + 1).filter((arg) => arg !== '--json');
};

export function availableBenchmarks(): string[] {
  if (!existsSync(BENCH_DIR)) return [];
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.js'))
    .map((file) => file.slice(0, -'.bench.js'.length))
    .sort();
}

function runBenchProcess(name: string, json: boolean, env: Record<string, string> = {}): Promise<number> {
  return runInteractive(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      '--expose-gc',
      path.join(BENCH_DIR, `${name}.bench.js`),
      ...benchOptions(name),
      ...(json ? ['--json'] : []),
    ],
    { cwd: REPO_ROOT, env },
  );
}

/**
 * `./dev bench <name> [--json] [options]`: runs tools/bench's `<name>.bench.ts` on the built workspace, with
 * the options after the name passed on. A benchmark that needs the stack gets the `bench` profile (its own Kafka and database, fresh each run, out of the
 * way of dev and every test slot), told through `ONECOMMONS_TEST_STACK`; what was started is stopped after,
 * pass or fail.
 */
export async function runBenchmark(name: string | undefined, json: boolean): Promise<number> {
  const known = availableBenchmarks();
  if (!name || !known.includes(name)) {
    throw new UsageError(`bench: expected one of ${known.join(', ')}${name ? `, got "${name}"` : ''}`);
  }
  if (!NEEDS_STACK.has(name)) return runBenchProcess(name, json);
  const profile = profileNamed('bench');
  const stop = () => void everythingDown(profile).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    say('── bringing up the bench stack');
    await infrastructureUp(profile);
    if (NEEDS_PLATFORM.has(name)) await platformUp(profile);
    return await runBenchProcess(name, json, {
      ONECOMMONS_TEST_STACK: JSON.stringify(describeStack(profile)),
      ...(NEEDS_PLATFORM.has(name)
        ? { BENCH_IDENTITY_ADMIN_BOOTSTRAP_TOKEN: profileSecret(profile, 'identity-admin-bootstrap-token') }
        : {}),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await everythingDown(profile);
  }
}
