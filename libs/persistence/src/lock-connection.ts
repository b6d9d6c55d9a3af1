import pg from 'pg';

/** How long a peer may stay silent before its session (and the locks it holds) is given up. */
export const DEFAULT_DEAD_PEER_SECONDS = 30;

export interface LockConnectionOptions {
  readonly url: string;
  /** Put first on the search path (a service's schema); none for a connection that only locks. */
  readonly schema?: string;
  readonly applicationName: string;
  /** See `DEFAULT_DEAD_PEER_SECONDS`; keepalives and timeouts of both ends derive from it. */
  readonly deadPeerSeconds?: number;
}

/**
 * Keepalive timings that drop a silent peer within `deadPeerSeconds`: idle + count × interval ≈ the bound.
 * The server side matters most: a kill -9 closes the socket at once, but a holder whose host or network
 * vanished keeps its session (and its locks) until the server's keepalives give up, two hours by default.
 */
export function keepaliveTimings(deadPeerSeconds: number) {
  const idleSeconds = Math.max(1, Math.floor(deadPeerSeconds / 3));
  const intervalSeconds = Math.max(1, Math.floor(deadPeerSeconds / 6));
  return { idleSeconds, intervalSeconds, count: 4, userTimeoutMs: deadPeerSeconds * 1000 };
}

/**
 * A dedicated connection for session advisory locks (a leader's lock dies with its session). Never pooled and
 * never through a transaction-mode PgBouncer: the lock belongs to this one server session. TCP keepalives on
 * both ends, so a half-dead connection is noticed: the client's by the holder, the server's by Postgres, which
 * then frees the lock for another replica.
 */
export async function openLockConnection(options: LockConnectionOptions): Promise<pg.Client> {
  const timings = keepaliveTimings(options.deadPeerSeconds ?? DEFAULT_DEAD_PEER_SECONDS);
  const settings = [
    ...(options.schema ? [`search_path=${options.schema}`] : []),
    `tcp_keepalives_idle=${timings.idleSeconds}`,
    `tcp_keepalives_interval=${timings.intervalSeconds}`,
    `tcp_keepalives_count=${timings.count}`,
    `tcp_user_timeout=${timings.userTimeoutMs}`,
  ];
  const client = new pg.Client({
    connectionString: options.url,
    options: settings.map((setting) => `-c ${setting}`).join(' '),
    application_name: options.applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: timings.idleSeconds * 1000,
    connectionTimeoutMillis: timings.userTimeoutMs,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Takes the session advisory lock named `name` if free; the same key space the outbox relay has always used. */
export async function tryAdvisoryLock(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query<{ acquired: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS acquired',
    [name],
  );
  return rows[0]?.acquired === true;
}

/**
 * Proves the session (and so its locks) is still alive. It answers within a third of the dead-peer bound or
 * fails, so a holder cut off from the server stops acting well before Postgres frees its lock for another.
 */
export async function confirmLockSession(
  client: pg.Client,
  deadPeerSeconds = DEFAULT_DEAD_PEER_SECONDS,
): Promise<void> {
  // pg reads a per-query `query_timeout` (client.js), which its types do not declare.
  const check = { text: 'SELECT 1', query_timeout: Math.max(1000, Math.floor((deadPeerSeconds * 1000) / 3)) };
  await client.query(check as pg.QueryConfig);
}
