import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually, type ServiceProcess, startServiceProcess, uniqueSuffix } from '@onecommons/testing';
import { webhooksService } from '../src/webhooks.definition.js';

// Two replicas of one service as OS processes on one schema: one leads (runs the once-only work), and when the
// leader is killed with -9 (no shutdown hook runs) the other takes over within the lease's retry interval.

const RETRY_MS = 200;
const replicas: ServiceProcess[] = [];

afterAll(async () => {
  // The survivor first: each stop drops the shared schema (if still there) and ends its admin pool.
  for (const replica of replicas.reverse()) await replica.stop();
});

async function leaderSessions(replica: ServiceProcess): Promise<{ pid: number; holds: boolean }[]> {
  return replica.query<{ pid: number; holds: boolean }>(
    `SELECT a.pid, EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted) AS holds
       FROM pg_stat_activity a WHERE a.application_name = $1 ORDER BY a.pid`,
    [`leader:${replica.schema}`],
  );
}

describe('replicas of a service', () => {
  it('have one leader, and a leader killed with -9 is replaced within the bound', async () => {
    const schema = `t_webhooks_${uniqueSuffix()}`;
    const options = {
      schema,
      consumerGroup: `t-webhooks-${uniqueSuffix()}`,
      env: {
        LEADER_LEASE_RETRY_MS: String(RETRY_MS),
        WEBHOOKS_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
    };
    const first = await startServiceProcess(webhooksService, options);
    replicas.push(first);
    const [firstSession] = await eventually('the first replica leads', async () => {
      const sessions = await leaderSessions(first);
      return sessions.length === 1 && sessions[0]?.holds ? sessions : undefined;
    });

    const second = await startServiceProcess(webhooksService, options);
    replicas.push(second);
    const both = await eventually('both replicas compete', async () => {
      const sessions = await leaderSessions(first);
      return sessions.length === 2 ? sessions : undefined;
    });
    expect(both.filter((session) => session.holds).map((session) => session.pid)).toEqual([
      firstSession?.pid,
    ]);

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    const [secondSession] = await eventually(
      'the second replica leads',
      async () => {
        const sessions = await leaderSessions(second);
        return sessions.length === 1 && sessions[0]?.holds ? sessions : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    expect(secondSession?.pid).not.toBe(firstSession?.pid);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
  });
});
