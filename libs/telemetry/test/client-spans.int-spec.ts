import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import pg from 'pg';
import { instrumentPostgres, instrumentRedis } from '../src/client-spans.js';

// Postgres and Redis calls made inside a trace become its CLIENT children, against the real servers of
// the test stack; calls outside any trace (pollers) make no spans.

const stack = JSON.parse(process.env['ONECOMMONS_TEST_STACK'] ?? '{}') as {
  postgresAdminUrl: string;
  redisUrl: string;
};
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('client-spans-test');
let pool: pg.Pool;
let redis: Redis;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  // Jest has its own module registry: the copies this test uses are the ones to patch.
  instrumentPostgres(pg);
  instrumentRedis({ Redis });
  pool = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 1 });
  redis = new Redis(stack.redisUrl, { lazyConnect: true });
});

afterAll(async () => {
  await pool.end();
  redis.disconnect();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const inTrace = <T>(work: () => Promise<T>) =>
  tracer.startActiveSpan('request', async (span) => {
    try {
      return { result: await work(), traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    } finally {
      span.end();
    }
  });

describe('client spans', () => {
  it('makes a Postgres span a child of the active span, for promise and callback calls', async () => {
    const { traceId, spanId } = await inTrace(async () => {
      await pool.query('SELECT $1::int AS one', [1]);
      const client = await pool.connect();
      try {
        await new Promise<void>((resolve, reject) =>
          client.query('SELECT 2 AS two', (error: Error | undefined) => (error ? reject(error) : resolve())),
        );
      } finally {
        client.release();
      }
    });
    const queries = exporter
      .getFinishedSpans()
      .filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(queries.map((span) => span.attributes['db.query.text'])).toEqual([
      'SELECT $1::int AS one',
      'SELECT 2 AS two',
    ]);
    for (const span of queries) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(spanId);
      expect(span.name).toBe(`SELECT ${new URL(stack.postgresAdminUrl).pathname.slice(1)}`);
    }
  });

  it('marks a failed statement as an error', async () => {
    await expect(inTrace(() => pool.query('SELECT * FROM no_such_table_here'))).rejects.toThrow();
    const [failed] = exporter.getFinishedSpans().filter((span) => span.attributes['db.system.name']);
    expect(failed?.status.code).toBe(2);
    expect(failed?.status.message).toContain('no_such_table_here');
  });

  it('makes a Redis span per command inside a trace', async () => {
    const key = `client-spans-test-${process.pid}`;
    const { traceId } = await inTrace(async () => {
      await redis.set(key, '1', 'EX', 60);
      return redis.get(key);
    });
    const commands = exporter
      .getFinishedSpans()
      .filter((span) => span.attributes['db.system.name'] === 'redis');
    expect(commands.map((span) => span.name)).toEqual(expect.arrayContaining(['SET', 'GET']));
    for (const span of commands) expect(span.spanContext().traceId).toBe(traceId);
  });

  it('makes no span outside a trace', async () => {
    await pool.query('SELECT 1');
    await redis.get('client-spans-test-none');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
