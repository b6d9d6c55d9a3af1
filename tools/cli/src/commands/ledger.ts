import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';

/** The repository root: tools/cli/dist/src/commands → five levels up. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

interface LedgerVerifyOptions {
  readonly json?: boolean;
  readonly envFile?: string;
}

interface VerifyReportLine {
  readonly report: {
    readonly ok: boolean;
    readonly schema: string;
    readonly transactions: number;
    readonly entries: number;
    readonly head: string;
    readonly reserve: Record<string, string>;
    readonly firstViolation: string | null;
    readonly violations: readonly { check: string; message: string }[];
  };
}

function envFileFor(given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (!existsSync(given)) throw new InvalidInputError('--env-file', `no such file: ${given}`);
    return given;
  }
  const devStack = path.join(REPO_ROOT, '.local/dev/env/ledger.env');
  return existsSync(devStack) ? devStack : undefined;
}

/**
 * `commons ledger verify`: runs the ledger service's own `verify` command (the CLI never reads the ledger's
 * tables) and reports: exit 0 when every check holds, 1 naming the first violation.
 */
export function registerLedgerCommand(program: Command): void {
  const ledger = program.command('ledger').description('the double-entry ledger and its treasury');
  ledger
    .command('verify')
    .description('check the hash chain, zero-sum transactions, balances and the reserve invariant')
    .option('--json', 'print the whole report as JSON')
    .option(
      '--env-file <path>',
      "the ledger's environment (default: the dev stack's .local/dev/env/ledger.env)",
    )
    .action(async (options: LedgerVerifyOptions) => {
      await runVerify(options);
    });
}

async function runVerify(options: LedgerVerifyOptions): Promise<void> {
  const main = path.join(REPO_ROOT, 'services/ledger/dist/src/main.js');
  if (!existsSync(main))
    throw new CliError(`${main} is missing: build the workspace first (./dev builds it)`);
  const envFile = envFileFor(options.envFile);
  const args = [
    '--disable-warning=TimeoutNegativeWarning',
    ...(envFile ? [`--env-file=${envFile}`] : []),
    main,
    'verify',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.once('close', (status) => resolve(status ?? 1)));
  const report = stdout
    .split('\n')
    .map(parseReport)
    .find((line) => line !== undefined)?.report;
  if (!report) {
    process.stderr.write(stderr);
    if (code === 2 || code === 78)
      throw new CliError('ledger verify: invalid environment', ExitCode.invalidInput);
    throw new CliError(`ledger verify failed to run (exit ${code}); see the messages above`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const { reserve } = report;
    process.stdout.write(
      `ledger ${report.schema}: ${report.transactions} transactions, ${report.entries} entries, head ${report.head}\n` +
        `reserve ${reserve['reserve']} ${reserve['currency']}, outstanding ${reserve['outstanding']} uCC at ` +
        `${reserve['price']}, claims ${reserve['claims']}, residue ${reserve['residue']}\n` +
        (report.ok ? 'all checks hold\n' : ''),
    );
  }
  // Thrown, not set on process.exitCode: runCli's return value is what main.ts exits with.
  if (!report.ok) throw new CliError(`ledger verify: ${report.firstViolation ?? 'failed'}`, ExitCode.failed);
}

function parseReport(line: string): VerifyReportLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && 'report' in value) return value as VerifyReportLine;
  } catch {
    // a log line, not the report
  }
  return undefined;
}
