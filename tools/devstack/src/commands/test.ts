import { availableParallelism } from 'node:os';
import path from 'node:path';
import { withChaosStack } from '../chaos/chaos-stack.js';
import { describeStack, REPO_ROOT, profileNamed } from '../profile.js';
import { type DebianTool, ensureDebianPackages, NGINX } from '../stack/debian.js';
import { recreateTopics } from '../stack/kafka-broker.js';
import { say } from '../stack/log.js';
import { runInteractive } from '../stack/run-command.js';
import { everythingDown, infrastructureUp, platformUp } from '../stack/stack.js';

export const TEST_SUITES = ['check', 'unit', 'integration', 'e2e'] as const;
/** Suites that run only when named: the chaos suite takes minutes and a stack of its own. */
export const OPT_IN_SUITES = ['chaos'] as const;
export type TestSuite = (typeof TEST_SUITES)[number] | (typeof OPT_IN_SUITES)[number];

const bin = (name: string) => path.join(REPO_ROOT, 'node_modules/.bin', name);
const JEST = path.join(REPO_ROOT, 'node_modules/jest/bin/jest.js');

async function step(
  name: string,
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
) {
  say(`── ${name}`);
  const started = Date.now();
  const code = await runInteractive(command, args, { cwd: REPO_ROOT, env });
  say(
    `── ${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (code !== 0) throw new TestFailure(name, code);
}

export class TestFailure extends Error {
  constructor(
    readonly suite: string,
    readonly exitCode: number,
  ) {
    super(`${suite} failed`);
  }
}

type JestProject =
  'unit' | 'integration' | 'integration-replay' | 'e2e' | 'e2e-alone' | 'e2e-closing' | 'chaos';

/**
 * Unit tests are CPU-bound: one worker per core (Jest's default leaves one core to itself, and with two cores
 * runs them all in its own process). Integration test files each boot their services on their own schema,
 * consumer group and Redis prefix, and spend part of their time waiting on Kafka and timers: three run at once
 * on two cores (two left a quarter of the CPU idle; docs/benchmarks.md, "CI time"), except those that compare a
 * replay of whole topics with the live service (jest.config.js). E2e files each act as their own accounts and
 * organizations, from their own address, and wait on the platform's services (a third of the CPU idle one at a
 * time): two run at once, except those that check the platform whole (every table unchanged, replay digests),
 * which run one at a time afterwards, alone; the chaos suite checks its platform's recovery whole too.
 */
const WORKERS_OF: Record<JestProject, readonly string[]> = {
  unit: [`--maxWorkers=${availableParallelism()}`],
  integration: ['--maxWorkers=3'],
  'integration-replay': ['--runInBand'],
  e2e: ['--maxWorkers=2'],
  'e2e-alone': ['--runInBand'],
  'e2e-closing': ['--runInBand'],
  chaos: ['--runInBand'],
};

function jest(project: JestProject, env: Record<string, string>, extra: readonly string[]) {
  const workers = WORKERS_OF[project];
  return step(
    `${project} tests`,
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      JEST,
      '--selectProjects',
      project,
      '--ci',
      ...workers,
      ...extra,
    ],
    { NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning', ...env },
  );
}

/** tools/deploy's unit tests render the Kubernetes overlays with `kubectl kustomize`. */
const UNIT_TOOLS: readonly DebianTool[] = [{ command: 'kubectl', packageName: 'kubectl' }];

const E2E_TOOLS: readonly DebianTool[] = [
  NGINX, // the gateway
  { command: 'docker-compose', packageName: 'docker-compose' }, // docker-compose.yml is validated
  { command: 'promtool', packageName: 'prometheus' }, // the observability test runs Prometheus and promtool
  { command: 'chromium', packageName: 'chromium' }, // the pages are tested in a headless browser (tests/e2e/browser.ts)
];

/** A promise awaited later: its failure is reported where it is awaited, not as an unhandled rejection now. */
function inBackground(promise: Promise<void>): Promise<void> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * `./dev test [suite...]`: formatting, lint and types (the build already ran), unit tests, then on the
 * `test` profile (its own Kafka, database and Redis db, reset) integration tests, then every service
 * and the gateway for the e2e tests. `./dev test chaos` (never part of the default) runs the chaos suite on
 * the `chaos` profile (tools/devstack/src/chaos). Stops what it started, pass or fail.
 */
export async function runTests(
  requested: readonly TestSuite[],
  jestArgs: readonly string[] = [],
): Promise<number> {
  const suites = new Set<TestSuite>(requested.length > 0 ? requested : TEST_SUITES);
  const profile = profileNamed('test');
  const stackEnv = { ONECOMMONS_TEST_STACK: JSON.stringify(describeStack(profile)) };
  const needsStack = suites.has('integration') || suites.has('e2e');
  const profiles = suites.has('chaos') ? [profile, profileNamed('chaos')] : [profile];
  const stop = () =>
    void Promise.all(profiles.map((each) => everythingDown(each))).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // apt runs in the background from the start, while the checks and unit tests use the CPU; a tier waits for its own.
  const unitTools = suites.has('unit') ? inBackground(ensureDebianPackages(UNIT_TOOLS)) : undefined;
  const e2eTools = suites.has('e2e') ? inBackground(ensureDebianPackages(E2E_TOOLS)) : undefined;
  try {
    if (suites.has('check')) {
      await step('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
      await step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
    }
    if (suites.has('unit')) {
      await unitTools;
      await jest('unit', {}, jestArgs);
    }
    if (needsStack) {
      say('── bringing up the test stack');
      await infrastructureUp(profile);
      if (suites.has('integration')) {
        await jest('integration', stackEnv, [...jestArgs, '--passWithNoTests']);
        await jest('integration-replay', stackEnv, [...jestArgs, '--passWithNoTests']);
      }
      if (suites.has('e2e')) {
        await e2eTools;
        // The e2e services read every topic from the start: the integration tests' events stay out of it.
        if (suites.has('integration')) await recreateTopics(profile);
        await platformUp(profile);
        await jest('e2e', stackEnv, [...jestArgs, '--passWithNoTests']);
        await jest('e2e-alone', stackEnv, [...jestArgs, '--passWithNoTests']);
        // After the others: these close the current period, and metering then refuses usage for it.
        await jest('e2e-closing', stackEnv, [...jestArgs, '--passWithNoTests']);
      }
    }
    if (suites.has('chaos')) await withChaosStack((chaosEnv) => jest('chaos', chaosEnv, jestArgs));
    say(`all passed: ${[...suites].join(', ')}`);
    return 0;
  } catch (error) {
    if (error instanceof TestFailure) return error.exitCode;
    throw error;
  } finally {
    if (needsStack) await everythingDown(profile);
  }
}
