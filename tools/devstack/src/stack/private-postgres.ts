import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Profile } from '../profile.js';
import { say } from './log.js';
import { answers } from './probes.js';
import { tailOf } from './processes.js';
import { runCommand } from './run-command.js';

/**
 * A PostgreSQL server of one profile alone (the chaos profile's): a cluster under `.local/<profile>/postgres`,
 * made with the machine's PostgreSQL binaries, trust authentication on 127.0.0.1 only. Started and stopped
 * through `pg_ctl`, which knows the postmaster and its children (a pid file of ours would not).
 */
const dataDirOf = (profile: Profile) => path.join(profile.stateDir, 'postgres');
const logFileOf = (profile: Profile) => path.join(profile.stateDir, 'logs', 'postgres.log');

/** The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), or `ONECOMMONS_POSTGRES_BIN`. */
function binDir(): string {
  const given = process.env['ONECOMMONS_POSTGRES_BIN'];
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const [newest] = versions;
  if (newest === undefined)
    throw new Error(
      'the chaos stack runs its own PostgreSQL server, but no initdb was found under /usr/lib/postgresql/*/bin; ' +
        'install it with: apt-get install postgresql (or set ONECOMMONS_POSTGRES_BIN)',
    );
  return path.join(root, newest, 'bin');
}

/** PostgreSQL refuses to run as root: then its commands run as the `postgres` user, which owns the cluster. */
const asRoot = () => process.getuid?.() === 0;

function pgCommand(tool: string, args: readonly string[]): Promise<string> {
  const command = path.join(binDir(), tool);
  return asRoot()
    ? runCommand('runuser', ['-u', 'postgres', '--', command, ...args])
    : runCommand(command, args);
}

async function ownedByPostgres(target: string): Promise<void> {
  if (!asRoot()) return;
  const idOf = async (flag: '-u' | '-g') => Number((await runCommand('id', [flag, 'postgres'])).trim());
  chownSync(target, await idOf('-u'), await idOf('-g'));
}

/** Settings appended to the cluster's postgresql.conf once, after initdb. */
function settings(profile: Profile): string {
  return [
    '# the chaos profile (tools/devstack/src/stack/private-postgres.ts)',
    `port = ${profile.postgres.port}`,
    `listen_addresses = '${profile.postgres.host}'`,
    // TCP only: no socket file to collide with the machine's server or to outgrow the path limit.
    "unix_socket_directories = ''",
    'max_connections = 300',
    // The suite crashes the server process, not the machine: the OS keeps what was written, so WAL
    // recovery after an immediate stop is exercised without paying for fsync on a shared CI box.
    'fsync = off',
    'full_page_writes = off',
    '',
  ].join('\n');
}

async function initCluster(profile: Profile): Promise<void> {
  const dataDir = dataDirOf(profile);
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  say(`creating the chaos profile's PostgreSQL cluster in ${dataDir}`);
  mkdirSync(profile.stateDir, { recursive: true });
  // The server's user must reach its directory; the state directory's secrets stay in their 0700 folder.
  if (asRoot()) chmodSync(profile.stateDir, (statSync(profile.stateDir).mode & 0o777) | 0o011);
  // What a failed initdb left behind would make the next one refuse the directory.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { mode: 0o700 });
  await ownedByPostgres(dataDir);
  await pgCommand('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  writeFileSync(path.join(dataDir, 'postgresql.conf'), settings(profile), { flag: 'a' });
}

async function ensureLogFile(profile: Profile): Promise<string> {
  const file = logFileOf(profile);
  mkdirSync(path.dirname(file), { recursive: true });
  closeSync(openSync(file, 'a'));
  await ownedByPostgres(file);
  return file;
}

async function pgStart(profile: Profile): Promise<void> {
  const logFile = await ensureLogFile(profile);
  try {
    await pgCommand('pg_ctl', ['-D', dataDirOf(profile), '-l', logFile, '-w', '-t', '90', 'start']);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast lines of ${logFile}:\n${tailOf(logFile)}`);
  }
}

const running = (profile: Profile) => existsSync(path.join(dataDirOf(profile), 'postmaster.pid'));

/** Creates the cluster on first use and starts it unless it already answers. */
export async function ensurePrivatePostgres(profile: Profile): Promise<void> {
  const { host, port } = profile.postgres;
  if (await answers(host, port)) return;
  await initCluster(profile);
  say(`starting the chaos profile's PostgreSQL on ${host}:${port}`);
  await pgStart(profile);
}

/** A fast shutdown (sessions are disconnected, no recovery next time). Returns whether it was running. */
export async function stopPrivatePostgres(profile: Profile): Promise<boolean> {
  if (!running(profile)) return false;
  await pgCommand('pg_ctl', ['-D', dataDirOf(profile), '-m', 'fast', '-w', '-t', '60', 'stop']);
  return true;
}

/**
 * A crash of the server: `pg_ctl stop -m immediate` (every backend quits at once, nothing is flushed), down
 * for `downMs`, then started again, which runs crash recovery from the WAL.
 */
export async function crashRestartPrivatePostgres(profile: Profile, downMs: number): Promise<void> {
  await pgCommand('pg_ctl', ['-D', dataDirOf(profile), '-m', 'immediate', '-w', '-t', '60', 'stop']);
  await sleep(downMs);
  await pgStart(profile);
}
