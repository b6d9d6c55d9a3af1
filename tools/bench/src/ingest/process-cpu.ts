import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far, per group of processes on this machine (Linux /proc). */
export type CpuSnapshot = ReadonlyMap<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Which part of the stack a process is, from its command line; null for the rest of the machine. */
export function processGroupOf(commandLine: string, pid: number, ownPid: number): string | null {
  if (pid === ownPid) return 'bench client';
  const service = /services\/([a-z]+)\/dist\//.exec(commandLine);
  if (service) return service[1] === 'metering' || service[1] === 'identity' ? service[1] : 'other services';
  if (commandLine.startsWith('postgres')) return 'postgres';
  if (commandLine.includes('kafka.Kafka')) return 'kafka';
  if (commandLine.startsWith('nginx')) return 'gateway (nginx)';
  return null;
}

/** utime + stime of a /proc/<pid>/stat line, in seconds (fields 14 and 15, after the command in parens). */
export function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function cpuSnapshot(): CpuSnapshot {
  const totals = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const group = processGroupOf(commandLine, pid, process.pid);
      if (!group) continue;
      const seconds = cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      totals.set(group, (totals.get(group) ?? 0) + seconds);
    } catch {
      // the process ended between listing and reading
    }
  }
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
