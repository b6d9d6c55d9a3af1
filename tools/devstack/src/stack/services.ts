import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import { envDirOf, REPO_ROOT, serviceEnvironment, serviceUrl, type Profile } from '../profile.js';
import { say } from './log.js';
import { getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';
import { runCommand } from './run-command.js';

const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning', '--enable-source-maps'];

const entryOf = (service: ServiceName, file: 'main' | 'migrate') =>
  path.join(REPO_ROOT, 'services', service, 'dist/src', `${file}.js`);

export const processNameOf = (service: ServiceName) => `service-${service}`;
const logFileOf = (profile: Profile, service: ServiceName) =>
  path.join(profile.stateDir, 'logs', `${service}.log`);

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

export async function isReady(profile: Profile, service: ServiceName): Promise<boolean> {
  try {
    return (await getJson(`${serviceUrl(profile, service)}/health/ready`, 1_500)).status === 200;
  } catch {
    return false;
  }
}

/** Starts the services that are not running yet and waits until every one reports ready. */
export async function startServices(profile: Profile, processes: ProcessTable): Promise<ServiceName[]> {
  const started: ServiceName[] = [];
  for (const service of SERVICE_NAMES) {
    if (processes.running(processNameOf(service)) !== undefined || (await isReady(profile, service)))
      continue;
    processes.start({
      name: processNameOf(service),
      command: process.execPath,
      args: [...NODE_FLAGS, entryOf(service, 'main'), 'serve'],
      env: serviceEnvironment(profile, service),
      cwd: REPO_ROOT,
      logFile: logFileOf(profile, service),
      marker: entryOf(service, 'main'),
    });
    started.push(service);
  }
  if (started.length > 0) say(`started ${started.join(', ')}`);
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      try {
        await waitUntil(`${service} to be ready`, () => isReady(profile, service), { timeoutMs: 60_000 });
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\nlast lines of ${logFileOf(profile, service)}:\n${tailOf(logFileOf(profile, service))}`,
        );
      }
    }),
  );
  return started;
}

export async function stopServices(processes: ProcessTable): Promise<ServiceName[]> {
  const stopped = await Promise.all(
    SERVICE_NAMES.map(async (service) =>
      (await processes.stop(processNameOf(service))) ? service : undefined,
    ),
  );
  return stopped.filter((service): service is ServiceName => service !== undefined);
}

export const serviceProcessNames = SERVICE_NAMES.map(processNameOf);
