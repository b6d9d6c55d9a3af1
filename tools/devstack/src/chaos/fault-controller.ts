import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import { type Profile } from '../profile.js';
import { ensureKafka, kafkaProcessName, killKafkaNode } from '../stack/kafka-broker.js';
import { say } from '../stack/log.js';
import { waitUntil } from '../stack/probes.js';
import { type ProcessTable } from '../stack/processes.js';
import { crashRestartPrivatePostgres } from '../stack/private-postgres.js';
import { flushPrivateRedis } from '../stack/private-redis.js';
import { isReady, processNameOf, startServices } from '../stack/services.js';
import { processTableOf } from '../stack/stack.js';

/** What one fault did, as the chaos suite reports it. Times in ms from the injection. */
export interface FaultOutcome {
  readonly fault: string;
  readonly injectedAt: string;
  /** The component hit answers again (restarted, or at once for a flush). */
  readonly restoredMs: number;
  /** Every service reports ready again. */
  readonly readyMs: number;
  readonly detail: Readonly<Record<string, unknown>>;
}

type FaultAction = () => Promise<Record<string, unknown>>;

/** How long the private Postgres stays down in a crash-restart unless the request says otherwise. */
const POSTGRES_DOWN_MS = 3_000;

/**
 * The faults the chaos suite injects, served on 127.0.0.1 to the Jest process that `./dev test chaos` runs:
 * the suite drives the timing, ./dev does the killing and restarting with its own process table (tests may
 * not import tools). One fault at a time; each answers once what it hit is back and every service is ready.
 *
 *   POST /faults/services/<name>/kill[?replica=] SIGKILL one replica of the service (the first unless named),
 *                                        then start it again (./dev does not supervise: nothing else would)
 *   POST /faults/kafka/restart[?node=&downMs=] SIGKILL one Kafka node (the first unless named), keep it down
 *                                        for downMs (0), start it again on the same log
 *   POST /faults/postgres/restart[?downMs=] `pg_ctl stop -m immediate`, down for downMs, start (crash recovery)
 *   POST /faults/redis/flush             FLUSHALL
 */
export class FaultController {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly profile: Profile,
    private readonly processes: ProcessTable,
    private readonly server: Server,
  ) {}

  static async start(profile: Profile): Promise<FaultController> {
    const server = createServer();
    const controller = new FaultController(profile, processTableOf(profile), server);
    server.on('request', (request, response) => void controller.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return controller;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://controller');
    const action = request.method === 'POST' ? this.actionFor(url) : undefined;
    if (!action) {
      respond(response, 404, { error: `no fault ${request.method} ${url.pathname}` });
      return;
    }
    const run = this.queue.then(() => this.inject(url.pathname, action));
    this.queue = run.catch(() => undefined);
    try {
      respond(response, 200, await run);
    } catch (error) {
      respond(response, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private actionFor(url: URL): FaultAction | undefined {
    const service = /^\/faults\/services\/([a-z]+)\/kill$/.exec(url.pathname)?.[1];
    if (service !== undefined) {
      const replica = indexParameter(url, 'replica', this.profile.replicas);
      return SERVICE_NAMES.includes(service as ServiceName) && replica !== undefined
        ? () => this.killService(service as ServiceName, replica)
        : undefined;
    }
    if (url.pathname === '/faults/kafka/restart') {
      const node = indexParameter(url, 'node', this.profile.kafka.nodes);
      const downMs = Number(url.searchParams.get('downMs') ?? 0);
      return node !== undefined && Number.isInteger(downMs) && downMs >= 0
        ? () => this.restartKafka(node, downMs)
        : undefined;
    }
    if (url.pathname === '/faults/postgres/restart') {
      const downMs = Number(url.searchParams.get('downMs') ?? POSTGRES_DOWN_MS);
      return Number.isInteger(downMs) && downMs >= 0 ? () => this.restartPostgres(downMs) : undefined;
    }
    if (url.pathname === '/faults/redis/flush') return () => this.flushRedis();
    return undefined;
  }

  private async inject(fault: string, action: FaultAction): Promise<FaultOutcome> {
    const injected = Date.now();
    say(`chaos: ${fault}`);
    const detail = await action();
    const restoredMs = Date.now() - injected;
    await waitUntil(
      'every service to be ready again',
      async () =>
        (await Promise.all(SERVICE_NAMES.map((name) => isReady(this.profile, name)))).every(Boolean),
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    const readyMs = Date.now() - injected;
    say(`chaos: ${fault}: restored after ${restoredMs} ms, every service ready after ${readyMs} ms`);
    return { fault, injectedAt: new Date(injected).toISOString(), restoredMs, readyMs, detail };
  }

  private async killService(service: ServiceName, replica: number): Promise<Record<string, unknown>> {
    const name = processNameOf(service, replica);
    const killing = Date.now();
    const killedPid = await this.processes.kill(name);
    if (killedPid === undefined) throw new Error(`${name} is not running under ./dev`);
    const starting = Date.now();
    await startServices(this.profile, this.processes);
    return {
      signal: 'SIGKILL',
      replica,
      of: this.profile.replicas,
      killedPid,
      pid: this.processes.running(name),
      killMs: starting - killing,
      startMs: Date.now() - starting,
    };
  }

  private async restartKafka(node: number, downMs: number): Promise<Record<string, unknown>> {
    const killedPid = await killKafkaNode(this.processes, node);
    if (killedPid === undefined) throw new Error(`Kafka node ${node} is not running under ./dev`);
    await sleep(downMs);
    // The same log directory: a restart, not a fresh broker (the profile wipes it only when it comes up).
    await ensureKafka(
      { ...this.profile, kafka: { ...this.profile.kafka, wipeOnStart: false } },
      this.processes,
    );
    return {
      signal: 'SIGKILL',
      node,
      of: this.profile.kafka.nodes,
      downMs,
      killedPid,
      pid: this.processes.running(kafkaProcessName(node)),
    };
  }

  private async restartPostgres(downMs: number): Promise<Record<string, unknown>> {
    await crashRestartPrivatePostgres(this.profile, downMs);
    return { mode: 'immediate', downMs };
  }

  private async flushRedis(): Promise<Record<string, unknown>> {
    await flushPrivateRedis(this.profile);
    return { command: 'FLUSHALL' };
  }
}

/** `?<name>=i` with 0 ≤ i < count (0 when absent); undefined when it is not such an index. */
function indexParameter(url: URL, name: string, count: number): number | undefined {
  const index = Number(url.searchParams.get(name) ?? 0);
  return Number.isInteger(index) && index >= 0 && index < count ? index : undefined;
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
