import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** CPU seconds used so far, per group of processes on this machine (Linux /proc). */
export type CpuSnapshot = ReadonlyMap<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** What identifies a process as part of one profile's stack. */
export interface ProcessFacts {
  readonly pid: number;
  readonly commandLine: string;
  /** Its DATABASE_URL (services), else ''. */
  readonly databaseUrl: string;
  /** The command line of its parent (nginx workers name their master's prefix only there). */
  readonly parentCommandLine: string;
}

/**
 * Which part of the bench stack a process is; null for anything else on the machine (other test slots,
 * other databases). Postgres's shared background processes (WAL writer, checkpointer) count as postgres.
 */
export function processGroupOf(
  facts: ProcessFacts,
  stack: { database: string; stateDir: string },
  ownPid: number,
): string | null {
  const { pid, commandLine, databaseUrl, parentCommandLine } = facts;
  if (pid === ownPid) return 'bench client';
  const service = /services\/([a-z]+)\/dist\//.exec(commandLine);
  if (service)
    return databaseUrl.endsWith(`/${stack.database}`)
      ? service[1] === 'metering' || service[1] === 'identity'
        ? service[1]
        : 'other services'
      : null;
  if (commandLine.startsWith('postgres: ')) {
    const backend = /^postgres: [^:]+: \S+ (\S+) /.exec(commandLine);
    return !backend || backend[1] === stack.database ? 'postgres' : null;
  }
  if (commandLine.includes('kafka.Kafka')) return commandLine.includes(stack.stateDir) ? 'kafka' : null;
  if (commandLine.startsWith('nginx'))
    return `${commandLine} ${parentCommandLine}`.includes(stack.stateDir) ? 'gateway (nginx)' : null;
  return null;
}

/** utime + stime of a /proc/<pid>/stat line, in seconds (fields 14 and 15, after the command in parens). */
export function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const read = (file: string) => readFileSync(file, 'utf8').replaceAll('\0', ' ');

function factsOf(pid: number): ProcessFacts {
  const commandLine = read(`/proc/${pid}/cmdline`);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  let databaseUrl = '';
  if (commandLine.includes('/dist/src/main.js'))
    databaseUrl =
      /(?:^|\0)DATABASE_URL=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))?.[1] ?? '';
  let parentCommandLine = '';
  if (commandLine.startsWith('nginx')) parentCommandLine = read(`/proc/${parent}/cmdline`);
  return { pid, commandLine, databaseUrl, parentCommandLine };
}

/** CPU seconds of each of the bench stack's processes now, with its group. */
export function cpuOfProcesses(stack: {
  database: string;
  stateDir: string;
}): Map<number, { readonly group: string; readonly seconds: number }> {
  const processes = new Map<number, { group: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const group = processGroupOf(factsOf(pid), stack, process.pid);
      if (!group) continue;
      processes.set(pid, { group, seconds: cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) });
    } catch {
      // the process ended between listing and reading
    }
  }
  return processes;
}

/** CPU seconds of the bench stack's processes now, by group. */
export function cpuSnapshot(stack: { database: string; stateDir: string }): CpuSnapshot {
  const totals = new Map<string, number>();
  for (const { group, seconds } of cpuOfProcesses(stack).values())
    totals.set(group, (totals.get(group) ?? 0) + seconds);
  return totals;
}

/**
 * Each group's share of one core between two snapshots, in %. Processes that ended in between (Postgres
 * backends) lose their time, so postgres is a lower bound.
 */
export function cpuPercentBetween(
  before: CpuSnapshot,
  after: CpuSnapshot,
  seconds: number,
): Map<string, number> {
  const percent = new Map<string, number>();
  for (const [group, total] of after)
    percent.set(group, ((total - (before.get(group) ?? 0)) / seconds) * 100);
  return percent;
}

/** The processes of the bench stack a test stack describes: its database's backends and its state directory's. */
export function benchStackProcesses(stack: { readonly postgresAdminUrl: string; readonly envDir: string }): {
  database: string;
  stateDir: string;
} {
  return {
    database: new URL(stack.postgresAdminUrl).pathname.slice(1),
    stateDir: path.dirname(stack.envDir),
  };
}

/** "postgres 86, metering 39, …": each group's CPU, busiest first. */
export function cpuSummary(cpu: ReadonlyMap<string, number>): string {
  return [...cpu]
    .sort((left, right) => right[1] - left[1])
    .map(([group, percent]) => `${group} ${percent.toFixed(0)}`)
    .join(', ');
}
