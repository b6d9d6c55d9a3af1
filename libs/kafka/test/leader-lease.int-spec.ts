import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually, hasKeepaliveTimer, testStack } from '@onecommons/testing';
import pg from 'pg';
import { keepaliveTimings, LeaderLease, openLockConnection } from '@onecommons/persistence';

// Leadership among replicas (libs/persistence, used by the relay and by every service's leader) against the real
// Postgres: one leader at a time, a lost holder replaced within the
// bound, and lock connections whose both ends notice a dead peer.

const RETRY_MS = 200;
const quiet = { log: () => undefined, warn: () => undefined };
const started: LeaderLease[] = [];

function lease(name: string): LeaderLease {
  const created = new LeaderLease({
    url: testStack().postgresAdminUrl,
    name,
    applicationName: `t-lease:${name}`,
    retryMs: RETRY_MS,
    logger: quiet,
  });
  started.push(created);
  created.start();
  return created;
}

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testStack().postgresAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The backend pid holding the lease's advisory lock, if any. */
async function holderSession(name: string): Promise<number | undefined> {
  return asAdmin(async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
      [`t-lease:${name}`],
    );
    return rows[0]?.pid;
  });
}

const oneLeader = (leases: readonly LeaderLease[]) =>
  eventually('exactly one leader', () =>
    Promise.resolve(leases.filter((candidate) => candidate.isLeader).length === 1 ? true : undefined),
  );

afterEach(async () => {
  await Promise.all(started.splice(0).map((each) => each.stop()));
});

describe('a leader lease', () => {
  it('has exactly one holder among replicas, and keeps it', async () => {
    const name = `t-one-${randomBytes(4).toString('hex')}`;
    const replicas = [lease(name), lease(name), lease(name)];
    await oneLeader(replicas);
    const leader = replicas.find((replica) => replica.isLeader);
    // Several retry rounds later, still the same single leader (followers keep trying and keep failing).
    await eventually('followers tried again', () =>
      asAdmin(async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
          [`t-lease:${name}`],
        );
        return rows[0]?.n === 3 ? true : undefined;
      }),
    );
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      expect(replicas.filter((replica) => replica.isLeader)).toEqual([leader]);
    }
  });

  it('is held again within the bound, by one replica, when the holder’s session dies', async () => {
    const name = `t-dies-${randomBytes(4).toString('hex')}`;
    const replicas = [lease(name), lease(name)];
    await oneLeader(replicas);
    const before = await holderSession(name);
    // The holder's connection is cut (an admin's kill, a failover, a network gone): the server ends the session.
    // (A holder killed with -9 is services/webhooks/test/replicas.int-spec.ts: there the other must win.)
    await asAdmin((client) => client.query(`SELECT pg_terminate_backend($1)`, [before]));
    const after = await eventually(
      'a new session holds the lease',
      async () => {
        const holder = await holderSession(name);
        return holder !== undefined && holder !== before ? holder : undefined;
      },
      { timeoutMs: 10 * RETRY_MS + 2_000, intervalMs: 50 },
    );
    await oneLeader(replicas);
    expect(after).not.toBe(before);
  });

  it('passes to another replica at once when the holder stops', async () => {
    const name = `t-stops-${randomBytes(4).toString('hex')}`;
    const first = lease(name);
    await oneLeader([first]);
    const second = lease(name);
    await first.stop();
    await eventually('the other replica leads', () => Promise.resolve(second.isLeader ? true : undefined), {
      timeoutMs: 10 * RETRY_MS + 2_000,
    });
  });
});

describe('a lock connection', () => {
  it('has TCP keepalives on the client socket and asks the server for them', async () => {
    const client = await openLockConnection({
      url: testStack().postgresAdminUrl,
      applicationName: 't-lock-keepalive',
      deadPeerSeconds: 12,
    });
    try {
      const timings = keepaliveTimings(12);
      const { rows } = await client.query<{ idle: string; interval: string; count: string }>(
        `SELECT current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_interval') AS interval,
                current_setting('tcp_keepalives_count') AS count`,
      );
      expect(rows[0]).toEqual({
        idle: String(timings.idleSeconds),
        interval: String(timings.intervalSeconds),
        count: String(timings.count),
      });
      const localPort = (client as unknown as { connection: { stream: { localPort: number } } }).connection
        .stream.localPort;
      expect(hasKeepaliveTimer(localPort)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('is told apart by `ss` from a connection without keepalives (the check above can fail)', async () => {
    const plain = new pg.Client({ connectionString: testStack().postgresAdminUrl });
    await plain.connect();
    try {
      const localPort = (plain as unknown as { connection: { stream: { localPort: number } } }).connection
        .stream.localPort;
      expect(hasKeepaliveTimer(localPort)).toBe(false);
    } finally {
      await plain.end();
    }
  });
});
