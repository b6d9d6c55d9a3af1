import { ensureDatabase, withDatabase } from '@onecommons/persistence';
import { Redis } from 'ioredis';
import pg from 'pg';
import { postgresAdminUrl, redisUrl, type Profile } from '../profile.js';
import { say } from './log.js';
import { applyDatabaseSettings } from './postgres-settings.js';
import { answers } from './probes.js';

// Postgres and Redis belong to the machine, not to ./dev: it checks they answer, never starts or stops them.
const POSTGRES_HINT =
  'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const REDIS_HINT =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

export async function ensurePostgres(profile: Profile): Promise<void> {
  const { host, port } = profile.postgres;
  if (!(await answers(host, port)))
    throw new Error(`PostgreSQL does not answer at ${host}:${port}; ${POSTGRES_HINT}`);
  const url = postgresAdminUrl(profile);
  if (profile.resetData) await dropDatabase(url);
  await ensureDatabase(url);
  await applyDatabaseSettings(url, profile.postgres.database);
}

/** The test profile starts from an empty database every run. */
async function dropDatabase(url: string): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  say(`reset database ${database}`);
}

export async function ensureRedis(profile: Profile): Promise<void> {
  const { host, port, db } = profile.redis;
  if (!(await answers(host, port)))
    throw new Error(`Redis does not answer at ${host}:${port}; ${REDIS_HINT}`);
  const redis = new Redis(redisUrl(profile), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
    if (profile.resetData) {
      await redis.flushdb();
      say(`flushed Redis database ${db}`);
    }
  } finally {
    redis.disconnect();
  }
}
