import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { redisUrl, REPO_ROOT, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';
import { commandExists } from './run-command.js';

const PROCESS_NAME = 'redis';

/**
 * A Redis server of one profile alone (the chaos profile's), in the foreground under ./dev's process table:
 * no snapshots, no append-only file, so a flush or a restart really loses everything, as the suite intends.
 */
function writeConfig(profile: Profile): string {
  const dir = path.join(profile.stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'redis.conf');
  writeFileSync(
    file,
    [
      `bind ${profile.redis.host}`,
      `port ${profile.redis.port}`,
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      // Keeps the command line as started, so the pid file's marker (this file's path) still matches.
      'set-proc-title no',
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts the profile's Redis unless something answers on its port. Returns whether this call started it. */
export async function ensurePrivateRedis(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const { host, port } = profile.redis;
  if (await answers(host, port)) return false;
  if (!(await commandExists('redis-server')))
    throw new Error(
      'the chaos stack runs its own Redis, but redis-server is missing: apt-get install redis-server',
    );
  const config = writeConfig(profile);
  const logFile = path.join(profile.stateDir, 'logs', 'redis.log');
  say(`starting the chaos profile's Redis on ${host}:${port}`);
  processes.start({
    name: PROCESS_NAME,
    command: 'redis-server',
    args: [config],
    cwd: REPO_ROOT,
    logFile,
    marker: config,
  });
  try {
    await waitUntil(`Redis at ${host}:${port}`, () => answers(host, port), { timeoutMs: 15_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tailOf(logFile)}`);
  }
  return true;
}

export function stopPrivateRedis(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME);
}

/** FLUSHALL: every queue, job, lock and rate-limit counter of the profile's Redis is gone. */
export async function flushPrivateRedis(profile: Profile): Promise<void> {
  const redis = new Redis(redisUrl(profile), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}
