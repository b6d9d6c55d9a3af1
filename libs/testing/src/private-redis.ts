import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

/**
 * A Redis server of one test alone, without snapshots or an append-only file: a test may flush it (every queue,
 * job and schedule gone) without touching the stack's shared Redis, which other tests and runs use.
 */
export class PrivateRedis {
  private constructor(
    private readonly server: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const port = await freePort();
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    let failed: Error | undefined;
    server.once('error', (error) => (failed = error)); // e.g. redis-server is not installed
    const redis = new PrivateRedis(server, `redis://127.0.0.1:${port}`);
    await eventually(`a private Redis on port ${port}`, () => {
      if (failed) throw failed;
      return redis.command(async (client) => ((await client.ping()) === 'PONG' ? true : undefined));
    });
    return redis;
  }

  /** FLUSHALL: what a Redis restart without persistence, or an operator's mistake, leaves. */
  flushAll(): Promise<void> {
    return this.command(async (client) => {
      await client.flushall();
    });
  }

  async stop(): Promise<void> {
    if (this.server.exitCode !== null || this.server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.server.once('exit', () => resolve()));
    this.server.kill('SIGTERM');
    await exited;
  }

  private async command<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}
