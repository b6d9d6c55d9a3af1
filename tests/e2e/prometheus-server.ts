import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Debian's `prometheus` package (prometheus and promtool) run against the test stack's services, so the
// repository's alert rules and dashboard queries are checked by the real thing.

const MISSING = (binary: string) =>
  `${binary} was not found on PATH. The observability test runs Debian's Prometheus: ` +
  '`./dev test e2e` installs it, or run `apt-get install -y prometheus`.';

/** Runs promtool; returns its output, or throws with promtool's own complaint. */
export function promtool(args: readonly string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string; status?: number };
    if (failure.code === 'ENOENT') throw new Error(MISSING('promtool'));
    throw new Error(
      `promtool ${args.join(' ')} exited with status ${String(failure.status)}:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ScrapeTarget {
  readonly service: string;
  /** host:port */
  readonly address: string;
}

/** The Prometheus configuration of the test: every service's /metrics each second, the repository's rules. */
export function prometheusConfig(targets: readonly ScrapeTarget[], ruleFiles: readonly string[]): string {
  const lines = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`),
    'scrape_configs:',
    '  - job_name: onecommons',
    '    metrics_path: /metrics',
    '    honor_labels: true',
    '    static_configs:',
    ...targets.flatMap((target) => [
      `      - targets: [${JSON.stringify(target.address)}]`,
      `        labels: { service: ${JSON.stringify(target.service)} }`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

export interface QueryResult {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly unknown[] };
}

/** A Prometheus server on a free port with its own storage; `stop()` kills it and removes its files. */
export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly workDir: string,
    private readonly logFile: string,
  ) {}

  static async start(config: string): Promise<PrometheusServer> {
    const workDir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));
    const configFile = path.join(workDir, 'prometheus.yml');
    writeFileSync(configFile, config);
    promtool(['check', 'config', configFile]);
    const port = await freePort();
    const logFile = path.join(workDir, 'prometheus.log');
    const log = openSync(logFile, 'w');
    const child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, workDir, logFile);
    const exited = new Promise<Error>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'ENOENT' ? new Error(MISSING('prometheus')) : error),
      );
      child.once('exit', (code) => resolve(new Error(`prometheus exited with ${String(code)}`)));
    });
    const ready = server.waitUntilReady();
    const first = await Promise.race([ready.then(() => undefined), exited]);
    if (first instanceof Error) {
      await server.stop();
      throw new Error(`${first.message}\n${server.logTail()}`);
    }
    return server;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`prometheus did not become ready in 20 s\n${this.logTail()}`);
  }

  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
    });
    return (await response.json()) as QueryResult;
  }

  async get<Data>(pathname: string): Promise<Data> {
    const response = await fetch(`${this.url}${pathname}`);
    const body = (await response.json()) as { status: string; data: Data; error?: string };
    if (body.status !== 'success') throw new Error(`GET ${pathname}: ${body.error ?? response.status}`);
    return body.data;
  }

  logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const forced = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
