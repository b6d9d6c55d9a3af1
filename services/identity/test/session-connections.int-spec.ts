import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, serviceOf, startService, testStack, type RunningService } from '@onecommons/testing';
import { identityService } from '../src/identity.definition.js';

// Behind a transaction-mode PgBouncer, a session-bound connection must take DATABASE_SESSION_URL. Here that
// address is a TCP relay to the same Postgres, so the connections that went through it can be told apart.

/** Forwards TCP to Postgres and remembers the local port of each of its connections to Postgres. */
class CountingRelay {
  readonly upstreamPorts = new Set<number>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.forward(client));
  }

  static async start(target: { host: string; port: number }): Promise<CountingRelay> {
    const relay = new CountingRelay(target);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host, () => {
      if (upstream.localPort !== undefined) this.upstreamPorts.add(upstream.localPort);
    });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let relay: CountingRelay;
let identity: RunningService;

beforeAll(async () => {
  const runtimeUrl = new URL(serviceOf(testStack(), 'identity').databaseUrl);
  relay = await CountingRelay.start({ host: runtimeUrl.hostname, port: Number(runtimeUrl.port || 5432) });
  const sessionUrl = new URL(runtimeUrl);
  sessionUrl.hostname = '127.0.0.1';
  sessionUrl.port = String(relay.port);
  identity = await startService(identityService, { env: { DATABASE_SESSION_URL: sessionUrl.toString() } });
});

afterAll(async () => {
  await identity.stop();
  await relay.stop();
});

describe('DATABASE_SESSION_URL', () => {
  it("carries the outbox relay's session (its leader lock, its LISTEN); the pool stays on DATABASE_URL", async () => {
    const relayBackend = await eventually('the outbox relay holding its leader lock', async () => {
      const [row] = await identity.query<{ client_port: number }>(
        `SELECT a.client_port FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
          WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
        [`outbox-relay:${identity.schema}`],
      );
      return row;
    });
    expect(relay.upstreamPorts).toContain(relayBackend.client_port);

    const poolPorts = await identity.query<{ client_port: number }>(
      `SELECT client_port FROM pg_stat_activity WHERE application_name = 'identity' AND datname = current_database()`,
    );
    expect(poolPorts.length).toBeGreaterThan(0);
    for (const { client_port } of poolPorts) expect(relay.upstreamPorts).not.toContain(client_port);
  });
});
