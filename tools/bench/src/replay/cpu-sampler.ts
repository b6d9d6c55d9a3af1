import { cpuOfProcesses } from '../ingest/process-cpu.js';

/**
 * CPU used by the bench stack's processes while it runs, by group, sampled every `intervalMs`: unlike two
 * snapshots, it keeps the time of processes that end before the last one (a replay's database connections
 * close with it), up to their last sample.
 */
export class CpuSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, { group: string; seconds: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();

  constructor(
    private readonly stack: { database: string; stateDir: string },
    intervalMs = 250,
  ) {
    for (const [pid, { seconds }] of cpuOfProcesses(stack)) this.first.set(pid, seconds);
    this.timer = setInterval(() => this.sample(), intervalMs).unref();
  }

  /** Stops and returns each group's share of one core over the sampled time, in %. */
  stop(): Map<string, number> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const used = new Map<string, number>();
    for (const [pid, { group, seconds: total }] of this.last)
      used.set(group, (used.get(group) ?? 0) + total - (this.first.get(pid) ?? 0));
    return new Map([...used].map(([group, cpu]) => [group, (cpu / seconds) * 100]));
  }

  private sample(): void {
    for (const [pid, process] of cpuOfProcesses(this.stack)) this.last.set(pid, process);
  }
}
