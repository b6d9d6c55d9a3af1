import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceConfig, type ServiceDefinition } from '@onecommons/service-kit';
import pg from 'pg';
import { freePort } from './free-port.js';
import { schemaQuery } from './schema-query.js';
import { prepareService, type StartOptions } from './service-harness.js';
import { testStack } from './test-stack.js';

/** A service running as its own OS process, as `./dev` runs it: for tests that kill it and start it again. */
export interface ServiceProcess {
  readonly url: string;
  readonly schema: string;
  /** The environment it runs with (but its port), as `envFileOf` writes it. */
  readonly env: Readonly<Record<string, string>>;
  query<Row extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<Row[]>;
  /** Kills the process at once (SIGKILL by default: no shutdown hooks run). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, schema and consumer group; resolves once it is ready. */
  start(): Promise<void>;
  /** Stops it gracefully and drops its schema. */
  stop(): Promise<void>;
  /** The process's recent output, for failure messages. */
  output(): string;
}

/** The repository root: the nearest folder up with `tsconfig.base.json`. */
export function repositoryRoot(): string {
  let directory = import.meta.dirname;
  while (!existsSync(path.join(directory, 'tsconfig.base.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('cannot find the repository root (tsconfig.base.json)');
    directory = parent;
  }
  return directory;
}

/**
 * A process a test kills with SIGKILL keeps its Kafka partitions until its consumer session expires, and its
 * restarted self is ready only once it has joined: 6 s (the broker's minimum) instead of 30 keeps each restart
 * short without changing what happens. Heartbeats stay a sixth of the session. (The chaos profile's services,
 * tools/devstack, run with the same two.)
 */
const QUICK_REJOIN_ENVIRONMENT: Readonly<Record<string, string>> = {
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
};

export async function startServiceProcess<Config extends ServiceConfig>(
  definition: ServiceDefinition<Config>,
  options: StartOptions = {},
): Promise<ServiceProcess> {
  const stack = testStack();
  const { schema, env } = await prepareService(definition as unknown as ServiceDefinition<ServiceConfig>, {
    ...options,
    env: { ...QUICK_REJOIN_ENVIRONMENT, ...options.env },
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const main = path.join(repositoryRoot(), 'services', definition.service, 'dist', 'src', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: build the workspace first (./dev test builds it)`);
  const admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
  let child: ChildProcess | undefined;
  let lines: string[] = [];

  const start = async () => {
    const running = spawn(process.execPath, [main], {
      env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = running;
    const keep = (chunk: Buffer) => {
      lines = [...lines, ...chunk.toString().split('\n')].slice(-200);
    };
    running.stdout?.on('data', keep);
    running.stderr?.on('data', keep);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (running.exitCode !== null)
        throw new Error(`${definition.service} exited on start:\n${lines.join('\n')}`);
      try {
        if ((await fetch(`${url}/health/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${definition.service} was not ready within 60 s:\n${lines.join('\n')}`);
  };

  const waitForExit = (running: ChildProcess) =>
    running.exitCode !== null || running.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => running.once('exit', () => resolve()));

  await start();
  return {
    url,
    schema,
    env,
    query: schemaQuery(admin, schema),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!child) return;
      const running = child;
      running.kill(signal);
      await waitForExit(running);
    },
    start,
    async stop() {
      if (child) {
        const running = child;
        running.kill('SIGTERM');
        await waitForExit(running);
      }
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      await admin.end();
    },
    output: () => lines.join('\n'),
  };
}
