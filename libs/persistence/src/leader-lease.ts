import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import {
  confirmLockSession,
  DEFAULT_DEAD_PEER_SECONDS,
  type LockConnectionOptions,
  openLockConnection,
  tryAdvisoryLock,
} from './lock-connection.js';

export interface LeaderLeaseOptions extends LockConnectionOptions {
  /** The lock's name: every replica that competes for one leadership uses the same. */
  readonly name: string;
  /** How often a follower tries to take the lease, and the holder proves it still has it. */
  readonly retryMs: number;
  readonly logger: { log(message: string): void; warn(message: string): void };
}

/**
 * Leadership among replicas as a Postgres session advisory lock on a dedicated connection. Chosen over a
 * `leases` table renewed by its holder because the lock needs no clock, no migration in every schema and no
 * renewal writes, and the relay already leads this way: a holder killed with -9 loses its socket, Postgres
 * ends the session and frees the lock at once, so a follower takes over at its next try (`retryMs`); a holder
 * whose host or network vanished is dropped by the server's keepalives within `deadPeerSeconds`. The holder
 * checks its session every `retryMs` and steps down when the check fails.
 *
 * Leadership only keeps once-only work from being done N times: what it guards must stay safe if two leaders
 * overlap for a moment (a paused holder resuming), as every task it guards here is (row state decides).
 */
export class LeaderLease {
  private client: pg.Client | undefined;
  private held = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: LeaderLeaseOptions) {}

  get isLeader(): boolean {
    return this.held;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Steps down (the lock goes with the session) and stops competing. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.tryOnce();
      } catch (error) {
        if (this.held) this.options.logger.warn(`lost leadership of ${this.options.name}: ${String(error)}`);
        await this.dropConnection();
      }
      await sleep(this.options.retryMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
    await this.dropConnection();
  }

  private async tryOnce(): Promise<void> {
    if (this.held && this.client) {
      await confirmLockSession(this.client, this.options.deadPeerSeconds ?? DEFAULT_DEAD_PEER_SECONDS);
      return;
    }
    this.client ??= await this.connect();
    if (await tryAdvisoryLock(this.client, this.options.name)) {
      this.held = true;
      this.options.logger.log(`leader of ${this.options.name}`);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = await openLockConnection(this.options);
    client.on('error', (error) => {
      if (this.held) this.options.logger.warn(`lost leadership of ${this.options.name}: ${error.message}`);
      this.held = false;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
    });
    return client;
  }

  private async dropConnection(): Promise<void> {
    this.held = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined); // ending the session releases the lock
  }
}
