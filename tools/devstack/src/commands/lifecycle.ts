import { SERVICE_NAMES } from '@onecommons/contracts';
import path from 'node:path';
import {
  envDirOf,
  forgetTopology,
  gatewayUrl,
  profileNamed,
  type Profile,
  rememberTopology,
  REPO_ROOT,
} from '../profile.js';
import { fakeCloudsFileOf } from '../stack/fake-clouds.js';
import { runCommand } from '../stack/run-command.js';
import { say } from '../stack/log.js';
import { statusLines } from './status-lines.js';
import {
  everythingDown,
  gatewayAndInfrastructureUp,
  infrastructureUp,
  platformUp,
  stackDown,
  statusOf,
  type StatusReport,
} from '../stack/stack.js';

const devProfile = () => profileNamed('dev');

/** `./dev up`: everything, detached; returns once every service is ready. Harmless when already up. */
export async function up(profile: Profile = devProfile()): Promise<void> {
  rememberTopology(profile);
  await infrastructureUp(profile);
  await platformUp(profile);
  printSummary(await statusOf(profile, { lag: true }));
}

/**
 * The demo's whole story through the gateway like any client (`commons demo run`): seed the cast, a month of
 * usage, close the period, pay out, print the summary. Idempotent: a rerun reuses the cast and finds the
 * period closed and paid.
 */
async function runDemo(profile: Profile): Promise<void> {
  const out = path.join(profile.stateDir, 'demo-seed.json');
  await runCommand(
    process.execPath,
    [
      path.join(REPO_ROOT, 'tools/cli/bin/commons.js'),
      'demo',
      'run',
      '--out',
      out,
      '--gateway',
      gatewayUrl(profile),
      '--fake-clouds',
      fakeCloudsFileOf(profile),
      '--payouts-env',
      path.join(envDirOf(profile), 'payouts.env'),
    ],
    { cwd: REPO_ROOT, inherit: true },
  );
  say(`demo done: the seed file is ${path.relative(REPO_ROOT, out)}`);
}

export async function down(profile: Profile = devProfile()): Promise<void> {
  await everythingDown(profile);
  forgetTopology(profile);
}

/**
 * `./dev start`: `up`, then stays in the foreground reporting services that stop being ready, until
 * Ctrl-C or SIGTERM, when it stops what it started.
 */
export async function start(): Promise<void> {
  const profile = devProfile();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    await down(profile);
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));
  try {
    await up(profile);
  } catch (error) {
    await down(profile);
    throw error;
  }
  await runDemo(profile);
  say('everything is up; Ctrl-C stops it (logs in .local/dev/logs)');
  let lastReady = new Set<string>(SERVICE_NAMES);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    if (stopping) return;
    const report = await statusOf(profile);
    const ready = new Set(
      Object.entries(report.services)
        .filter(([, s]) => s.ready)
        .map(([name]) => name),
    );
    for (const name of lastReady) if (!ready.has(name)) say(`${name} is no longer ready`);
    for (const name of ready) if (!lastReady.has(name)) say(`${name} is ready again`);
    lastReady = ready;
  }
}

export async function status(json: boolean): Promise<number> {
  const report = await statusOf(devProfile(), { lag: true });
  if (json) {
    const { gateway, kafka, mailInbox, services } = report;
    process.stdout.write(`${JSON.stringify({ gateway, kafka, mailInbox, services }, null, 2)}\n`);
  } else {
    printSummary(report);
  }
  return Object.values(report.services).every((service) => service.ready) ? 0 : 1;
}

export async function stack(action: 'up' | 'down'): Promise<void> {
  const profile = devProfile();
  if (action === 'up') await gatewayAndInfrastructureUp(profile);
  else await stackDown(profile);
}

function printSummary(report: StatusReport): void {
  process.stdout.write(`${statusLines(report).join('\n')}\n`);
}
