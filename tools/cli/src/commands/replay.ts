import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  parseReplayStart,
  ReplayProgressContract,
  ReplayReportContract,
  type ReportOf,
  reportIn,
  SERVICE_NAMES,
} from '@onecommons/contracts';
import { SingleBar } from 'cli-progress';
import { type Command } from 'commander';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';

/** The repository root: tools/cli/dist/src/commands → five levels up. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

interface ReplayCommandOptions {
  readonly from: string;
  readonly verify?: boolean;
  readonly keep?: boolean;
  readonly envFile?: string;
}

type ReplayReport = ReportOf<typeof ReplayReportContract>;
type DigestedTableLine = ReplayReport['rebuilt']['tables'][number];

export function validateReplayInput(service: string, options: ReplayCommandOptions): void {
  if (!(SERVICE_NAMES as readonly string[]).includes(service)) {
    throw new InvalidInputError('service', `expected one of ${SERVICE_NAMES.join(', ')}, got "${service}"`);
  }
  if (!parseReplayStart(options.from)) {
    throw new InvalidInputError('--from', `expected "earliest" or an ISO 8601 time, got "${options.from}"`);
  }
}

/** The service's environment: `--env-file`, else the dev stack's, else only this process's environment. */
function envFileFor(service: string, given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (!existsSync(given)) throw new InvalidInputError('--env-file', `no such file: ${given}`);
    return given;
  }
  const devStack = path.join(REPO_ROOT, '.local/dev/env', `${service}.env`);
  return existsSync(devStack) ? devStack : undefined;
}

/**
 * `commons replay <service>`: runs the service's own `replay` command (its handlers, its migrations) and
 * shows its progress; the last line printed is the JSON summary with both digests.
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("rebuild a service's projections from its topics into a fresh schema")
    .argument('<service>', `one of ${SERVICE_NAMES.join(', ')}`)
    .option(
      '--from <earliest|time>',
      'replay from the first retained message or from an ISO 8601 time',
      'earliest',
    )
    .option(
      '--verify',
      'compare a digest of the rebuilt projections with the live ones; exit 1 when they differ',
    )
    .option('--keep', 'keep the rebuilt schema after --verify (without --verify it is always kept)')
    .option(
      '--env-file <path>',
      "the service's environment (default: the dev stack's .local/dev/env/<service>.env)",
    )
    .action(async (service: string, options: ReplayCommandOptions) => {
      validateReplayInput(service, options);
      const exitCode = await runReplay(service, options);
      // Thrown, not set on process.exitCode: the CLI's own exit code would overwrite that.
      if (exitCode !== ExitCode.ok)
        throw new CliError(`replay ${service}: the rebuilt state differs from the live one`, exitCode);
    });
}

async function runReplay(service: string, options: ReplayCommandOptions): Promise<number> {
  const main = path.join(REPO_ROOT, 'services', service, 'dist/src/main.js');
  if (!existsSync(main))
    throw new CliError(`${main} is missing: build the workspace first (./dev builds it)`);
  const envFile = envFileFor(service, options.envFile);
  const args = [
    '--disable-warning=TimeoutNegativeWarning',
    ...(envFile ? [`--env-file=${envFile}`] : []),
    main,
    'replay',
    '--progress',
    'json',
    '--from',
    options.from,
    ...(options.verify ? ['--verify'] : []),
    ...(options.keep ? ['--keep'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const bar = new SingleBar({
    format: `replay ${service} [{bar}] {percentage}% | {value}/{total} messages | {rate}/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true, // in CI logs too, a line every few seconds
  });
  let startedAt = Date.now();
  let report: ReplayReport | undefined;
  let barStarted = false;
  for await (const line of createInterface({ input: child.stdout })) {
    const progress = reportIn(ReplayProgressContract, line);
    if (progress) {
      const { processed, total } = progress;
      const rate = Math.round(processed / Math.max((Date.now() - startedAt) / 1000, 0.25));
      if (!barStarted) {
        startedAt = Date.now(); // the rate counts from the first message, not from the service's boot
        bar.start(total, processed, { rate: 0 });
        barStarted = true;
      } else {
        bar.setTotal(total);
        bar.update(processed, { rate });
      }
    } else {
      report = reportIn(ReplayReportContract, line) ?? report;
    }
  }
  const code = await new Promise<number>((resolve) => child.once('close', (status) => resolve(status ?? 1)));
  if (barStarted) bar.stop();
  if (!report) {
    if (code === 2 || code === 78) return ExitCode.invalidInput;
    throw new CliError(`replay of ${service} failed (exit ${code}); see the messages above`);
  }
  printReport(report);
  return report.identical === false ? ExitCode.failed : ExitCode.ok;
}

/** One line per table whose content differs, so drift points at its projection. */
function tablesThatDiffer(
  live: readonly DigestedTableLine[],
  rebuilt: readonly DigestedTableLine[],
): string[] {
  const rebuiltByName = new Map(rebuilt.map((table) => [table.table, table]));
  return live
    .filter((table) => rebuiltByName.get(table.table)?.digest !== table.digest)
    .map(
      (table) =>
        `  differs: ${table.table} (live ${table.rows} rows, rebuilt ${rebuiltByName.get(table.table)?.rows ?? 0})`,
    );
}

function printReport(report: ReplayReport): void {
  const { outcomes } = report.events;
  const skipped = Object.entries(report.skipped).map(([reason, n]) => `${reason} ${n}`);
  const lines = [
    `replayed ${report.events.processed} messages into ${report.replaySchema}: ${outcomes['applied'] ?? 0} applied, ` +
      `${outcomes['ignored'] ?? 0} not for this service, ${outcomes['duplicate'] ?? 0} duplicates` +
      (skipped.length > 0 ? `, skipped (dead-lettered when live): ${skipped.join(', ')}` : '') +
      (report.seconds !== undefined
        ? ` in ${report.seconds.toFixed(1)} s (${Math.round(report.events.processed / Math.max(report.seconds, 0.001))}/s)`
        : ''),
    ...report.rebuilt.tables.map((table) => `  ${table.table}: ${table.rows} rows`),
    report.replaySchemaKept
      ? `rebuilt schema kept: ${report.replaySchema}${report.identical === false ? ' (to compare with the live one; DROP SCHEMA it when done)' : ''}`
      : 'rebuilt schema dropped after verify',
  ];
  if (report.caughtUp !== undefined)
    lines.push(
      `compared at the live state's positions in the log (${report.caughtUp} messages applied to catch up with it)`,
    );
  if (report.identical !== undefined) {
    lines.push(
      report.identical ? 'digests identical' : `DIGESTS DIFFER: ${report.liveSchema} and its rebuild`,
    );
    if (!report.identical && report.live)
      lines.push(...tablesThatDiffer(report.live.tables, report.rebuilt.tables));
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  const summary = {
    service: report.service,
    replaySchema: report.replaySchema,
    events: report.events.processed,
    rebuilt: report.rebuilt.digest,
    ...(report.live ? { live: report.live.digest, identical: report.identical } : {}),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
