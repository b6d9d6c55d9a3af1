import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Processes `./dev` starts, tracked by pid files. A pid file records the pid and a marker that must appear
 * in that process's command line, so a recycled pid never makes `./dev down` stop someone else's process.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logFile: string;
  /** A string that appears in the process's command line (a path or a flag unique to this stack). */
  readonly marker: string;
}

interface PidRecord {
  readonly pid: number;
  readonly marker: string;
}

export class ProcessTable {
  constructor(private readonly runDir: string) {}

  private pidFile(name: string): string {
    return path.join(this.runDir, `${name}.pid`);
  }

  private read(name: string): PidRecord | undefined {
    try {
      const record = JSON.parse(readFileSync(this.pidFile(name), 'utf8')) as PidRecord;
      return typeof record.pid === 'number' && typeof record.marker === 'string' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  /** The names of every process with a pid file (running or not). */
  names(): string[] {
    try {
      return readdirSync(this.runDir)
        .filter((file) => file.endsWith('.pid'))
        .map((file) => file.slice(0, -'.pid'.length));
    } catch {
      return [];
    }
  }

  /** The pid of our still-running process of that name, if any; forgets stale pid files. */
  running(name: string): number | undefined {
    const record = this.read(name);
    if (!record) return undefined;
    if (commandLineOf(record.pid)?.includes(record.marker)) return record.pid;
    rmSync(this.pidFile(name), { force: true });
    return undefined;
  }

  /** Starts the process detached (it outlives `./dev`), its output appended to its log file. */
  start(spec: ManagedProcess): number {
    mkdirSync(this.runDir, { recursive: true });
    mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const log = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        detached: true,
        stdio: ['ignore', log, log],
      });
      if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
      child.unref();
      writeFileSync(this.pidFile(spec.name), JSON.stringify({ pid: child.pid, marker: spec.marker }));
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** SIGKILL at once, as a crash (no shutdown hook runs); waits until it is gone. Returns the pid killed. */
  async kill(name: string, timeoutMs = 10_000): Promise<number | undefined> {
    const pid = this.running(name);
    if (pid === undefined) return undefined;
    signal(pid, 'SIGKILL');
    const deadline = Date.now() + timeoutMs;
    while (!released(pid) && Date.now() < deadline) await sleep(50);
    if (!released(pid)) throw new Error(`${name} (pid ${pid}) is still alive ${timeoutMs} ms after SIGKILL`);
    rmSync(this.pidFile(name), { force: true });
    return pid;
  }

  /** SIGTERM, then SIGKILL after the grace period. Returns whether there was anything to stop. */
  async stop(name: string, graceMs = 15_000): Promise<boolean> {
    const pid = this.running(name);
    if (pid === undefined) return false;
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) break;
      await sleep(100);
    }
    if (isAlive(pid)) signal(pid, 'SIGKILL');
    rmSync(this.pidFile(name), { force: true });
    return true;
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
  })();
  // A zombie has exited; only its parent's wait is missing.
  return stat !== undefined && !/^\d+ \(.*\) Z /.test(stat);
}

/**
 * Gone, sockets and files included: a multithreaded process (a JVM, Node's workers) shows its main thread as
 * a zombie while other threads are still exiting, and its ports are still open until the last one has.
 */
function released(pid: number): boolean {
  try {
    return !isAlive(pid) && readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
