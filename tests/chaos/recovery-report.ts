import { writeFileSync } from 'node:fs';
import { type FaultOutcome } from './chaos-faults.js';
import { type UsageLoad } from './usage-load.js';

/** One fault as the suite saw it: ./dev's timings and what the usage load went through meanwhile. */
export interface RecoveryEntry {
  readonly fault: string;
  /** ms until the component hit was back, and until every service was ready again (./dev's view). */
  readonly restoredMs: number;
  readonly readyMs: number;
  /** ms from the injection until a usage request sent after it was acknowledged (the load's view), if it ran. */
  readonly ingestionBackMs: number | null;
  /** The longest stretch without any acknowledgement, from the injection until ingestion was back. */
  readonly longestAckGapMs: number;
  /** Failed attempts of the load during the fault, by HTTP status, `timeout` or `network`. */
  readonly failedAttempts: Readonly<Record<string, number>>;
  /** What ./dev reported doing (pids, signal, kill and start times). */
  readonly detail: Readonly<Record<string, unknown>>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Per-fault recovery times, printed as each fault ends and as one table at the end of the run. */
export class RecoveryReport {
  readonly entries: RecoveryEntry[] = [];

  constructor(private readonly load: UsageLoad) {}

  /** `ingestionBackAt`: when the load was acknowledged again; absent for a fault injected after the load. */
  record(outcome: FaultOutcome, ingestionBackAt?: number): RecoveryEntry {
    const from = Date.parse(outcome.injectedAt);
    const until = Math.max(ingestionBackAt ?? 0, from + outcome.readyMs);
    const failedAttempts: Record<string, number> = {};
    for (const failure of this.load.failures)
      if (failure.at >= from && failure.at <= until)
        failedAttempts[failure.reason] = (failedAttempts[failure.reason] ?? 0) + 1;
    const ackTimes = [
      from,
      ...this.load.acknowledgements
        .map((ack) => ack.ackedAt)
        .filter((at) => at > from && at <= until)
        .sort((a, b) => a - b),
      until,
    ];
    const longestAckGapMs = Math.max(
      ...ackTimes.slice(1).map((at, index) => at - (ackTimes[index] as number)),
    );
    const entry: RecoveryEntry = {
      fault: outcome.fault,
      restoredMs: outcome.restoredMs,
      readyMs: outcome.readyMs,
      ingestionBackMs: ingestionBackAt === undefined ? null : ingestionBackAt - from,
      longestAckGapMs,
      failedAttempts,
      detail: outcome.detail,
    };
    this.entries.push(entry);
    process.stderr.write(`[chaos] ${describe(entry)}\n`);
    return entry;
  }

  table(): string {
    const header = ['fault', 'restored', 'all ready', 'ingestion back', 'longest gap', 'failed attempts'];
    const rows = this.entries.map((entry) => [
      entry.fault,
      seconds(entry.restoredMs),
      seconds(entry.readyMs),
      entry.ingestionBackMs === null ? 'no load' : seconds(entry.ingestionBackMs),
      entry.ingestionBackMs === null ? '-' : seconds(entry.longestAckGapMs),
      failures(entry.failedAttempts),
    ]);
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
    );
    return [header, ...rows]
      .map((row) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  '))
      .join('\n');
  }

  write(file: string, summary: Record<string, unknown>): void {
    writeFileSync(file, `${JSON.stringify({ ...summary, faults: this.entries }, null, 2)}\n`);
  }
}

function failures(byReason: Readonly<Record<string, number>>): string {
  const parts = Object.entries(byReason).map(([reason, count]) => `${count}×${reason}`);
  return parts.length > 0 ? parts.join(' ') : 'none';
}

function describe(entry: RecoveryEntry): string {
  const restored = `${entry.fault}: restored in ${seconds(entry.restoredMs)}, every service ready in ${seconds(entry.readyMs)}`;
  if (entry.ingestionBackMs === null) return `${restored} (no usage load running)`;
  return (
    `${restored}, usage acknowledged again ${seconds(entry.ingestionBackMs)} after the injection ` +
    `(longest gap ${seconds(entry.longestAckGapMs)}; failed attempts: ${failures(entry.failedAttempts)})`
  );
}
