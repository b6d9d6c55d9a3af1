import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import {
  envDirOf,
  REPO_ROOT,
  replicaIndexes,
  replicaPort,
  replicaUrl,
  serviceEnvironment,
  type Profile,
} from '../profile.js';
import { say } from './log.js';
import { getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';
import { runCommand } from './run-command.js';

const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning', '--enable-source-maps'];

const entryOf = (service: ServiceName, file: 'main' | 'migrate') =>
  path.join(REPO_ROOT, 'services', service, 'dist/src', `${file}.js`);

/** Replica 0 keeps the name (and log) a one-replica stack has always had. */
export const processNameOf = (service: ServiceName, replica = 0) =>
  replica === 0 ? `service-${service}` : `service-${service}-${replica}`;
const logFileOf = (profile: Profile, service: ServiceName, replica = 0) =>
  path.join(profile.stateDir, 'logs', replica === 0 ? `${service}.log` : `${service}-${replica}.log`);

/**
 * Writes each service's environment to `.local/<profile>/env/<service>.env` (Node's --env-file format), so
 * one-shot commands such as `commons replay <service>` run with exactly what the service runs with.
 */
export function writeEnvironmentFiles(profile: Profile): void {
  const dir = envDirOf(profile);
  mkdirSync(dir, { recursive: true });
  for (const service of SERVICE_NAMES) {
    const lines = Object.entries(serviceEnvironment(profile, service)).map(
      ([name, value]) => `${name}=${value}`,
    );
    writeFileSync(path.join(dir, `${service}.env`), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
}

/** Applies every service's pending migrations, one service after another (each holds its own lock). */
export async function migrateAll(profile: Profile): Promise<void> {
  for (const service of SERVICE_NAMES) {
    const output = await runCommand(process.execPath, [...NODE_FLAGS, entryOf(service, 'migrate')], {
      env: serviceEnvironment(profile, service),
    });
    const summary = JSON.parse(output.trim().split('\n').pop() ?? '{}') as { applied?: string[] };
    const applied = summary.applied ?? [];
    if (applied.length > 0) say(`migrated ${service}: ${applied.join(', ')}`);
  }
}

export async function replicaReady(
  profile: Profile,
  service: ServiceName,
  replica: number,
): Promise<boolean> {
  try {
    return (await getJson(`${replicaUrl(profile, service, replica)}/health/ready`, 1_500)).status === 200;
  } catch {
    return false;
  }
}

/** Whether each replica of the service reports ready, in replica order. */
export function replicasReady(profile: Profile, service: ServiceName): Promise<boolean[]> {
  return Promise.all(replicaIndexes(profile).map((replica) => replicaReady(profile, service, replica)));
}

/** Every replica of the service reports ready. */
export async function isReady(profile: Profile, service: ServiceName): Promise<boolean> {
  return (await replicasReady(profile, service)).every(Boolean);
}

/**
 * Starts the service replicas that are not running yet and waits until every one reports ready: one replica
 * of every service at a time, so a small machine boots 7 processes at once rather than 7 N.
 */
export async function startServices(profile: Profile, processes: ProcessTable): Promise<ServiceName[]> {
  const started = new Set<ServiceName>();
  for (const replica of replicaIndexes(profile)) {
    const wave: ServiceName[] = [];
    for (const service of SERVICE_NAMES) {
      const name = processNameOf(service, replica);
      if (processes.running(name) !== undefined || (await replicaReady(profile, service, replica))) continue;
      processes.start({
        name,
        command: process.execPath,
        args: [...NODE_FLAGS, entryOf(service, 'main'), 'serve'],
        env: {
          ...serviceEnvironment(profile, service),
          HTTP_PORT: String(replicaPort(profile, service, replica)),
        },
        cwd: REPO_ROOT,
        logFile: logFileOf(profile, service, replica),
        marker: entryOf(service, 'main'),
      });
      wave.push(service);
      started.add(service);
    }
    if (wave.length > 0)
      say(`started ${wave.join(', ')}${profile.replicas > 1 ? ` (replica ${replica})` : ''}`);
    await Promise.all(SERVICE_NAMES.map((service) => replicaBecomesReady(profile, service, replica)));
  }
  return SERVICE_NAMES.filter((service) => started.has(service));
}

async function replicaBecomesReady(profile: Profile, service: ServiceName, replica: number): Promise<void> {
  try {
    await waitUntil(
      `${processNameOf(service, replica)} to be ready`,
      () => replicaReady(profile, service, replica),
      {
        timeoutMs: 90_000,
      },
    );
  } catch (error) {
    const log = logFileOf(profile, service, replica);
    throw new Error(`${(error as Error).message}\nlast lines of ${log}:\n${tailOf(log)}`);
  }
}

/** Stops every replica of every service, however many this profile runs now. */
export async function stopServices(processes: ProcessTable): Promise<ServiceName[]> {
  const stopped = await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const names = processes
        .names()
        .filter((name) => name === processNameOf(service) || name.startsWith(`${processNameOf(service)}-`));
      const results = await Promise.all(names.map((name) => processes.stop(name)));
      return results.some(Boolean) ? service : undefined;
    }),
  );
  return stopped.filter((service): service is ServiceName => service !== undefined);
}
