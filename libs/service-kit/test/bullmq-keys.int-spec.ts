import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqPrefixOf, keySlotOf } from '../src/index.js';

// Redis Cluster runs a multi-key script only when all its keys share a slot: every key BullMQ writes for a
// service's queues must hash to the slot of the service's prefix, whatever the queue does.

const schema = `t_bullmq_${uniqueSuffix()}`;
const prefix = bullmqPrefixOf(undefined, schema);
const connection = { url: testStack().redisUrl, maxRetriesPerRequest: null };
let redis: Redis;
let closers: (() => Promise<void>)[] = [];
/** Lets the job the test holds finish, so the worker can close even when the test failed. */
let releaseHeldJob: () => void = () => undefined;

beforeAll(() => {
  redis = new Redis(testStack().redisUrl);
});

afterAll(async () => {
  releaseHeldJob();
  for (const close of closers.reverse()) await close();
  closers = [];
  const keys = await redis.keys(`*${schema}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function opened<T extends { close(): Promise<void> }>(resource: T): T {
  closers.push(() => resource.close());
  return resource;
}

describe('BullMQ keys under the service prefix', () => {
  it('is {onecommons:<schema>} by default', () => {
    expect(prefix).toBe(`{onecommons:${schema}}`);
  });

  it('all hash to the one slot of the hash tag: jobs, schedulers, the events stream, locks', async () => {
    const queues = ['maintenance', 'period-close'].map((name) =>
      opened(new Queue(name, { connection, prefix })),
    );
    const [maintenance, periodClose] = queues as [Queue, Queue];
    const events = opened(new QueueEvents('maintenance', { connection, prefix }));
    await events.waitUntilReady();
    const held = new Promise<void>((resolve) => (releaseHeldJob = resolve));
    let holding: () => void = () => undefined;
    const holdingLock = new Promise<void>((resolve) => (holding = resolve));
    opened(
      new Worker(
        'maintenance',
        async (job) => {
          if (job.name === 'held') {
            holding();
            await held;
          }
          if (job.name === 'fails') throw new Error('refused on purpose');
          return { done: true };
        },
        { connection, prefix, concurrency: 1 },
      ),
    );
    await maintenance.upsertJobScheduler('prune-outbox', { every: 3_600_000 }, { name: 'prune-outbox' });
    await periodClose.upsertJobScheduler(
      'close-due-periods',
      { every: 60_000 },
      { name: 'close-due-periods' },
    );
    await periodClose.add('later', {}, { delay: 3_600_000 });
    const done = await maintenance.add('quick', {});
    await done.waitUntilFinished(events, 30_000);
    const failing = await maintenance.add('fails', {}, { attempts: 1 });
    await expect(failing.waitUntilFinished(events, 30_000)).rejects.toThrow('refused on purpose');
    await maintenance.add('held', {});
    await holdingLock; // the held job is being processed: its lock is in Redis now

    const keys = (await redis.keys(`*${schema}*`)).sort();
    const suffixes = keys.map((key) => key.slice(prefix.length + 1));
    for (const expected of [
      'maintenance:events',
      'maintenance:meta',
      'maintenance:completed',
      'maintenance:failed',
      'maintenance:repeat',
      'period-close:delayed',
      'period-close:repeat',
    ]) {
      expect(suffixes).toContain(expected);
    }
    expect(suffixes.some((suffix) => /^maintenance:[^:]+:lock$/.test(suffix))).toBe(true);
    expect(keys.every((key) => key.startsWith(`${prefix}:`))).toBe(true);
    expect(new Set(keys.map(keySlotOf))).toEqual(new Set([keySlotOf(prefix)]));
    // The same keys under the former `oc:<schema>` prefix spread over many slots: the test can tell.
    const untagged = keys.map((key) => `oc:${schema}${key.slice(prefix.length)}`);
    expect(new Set(untagged.map(keySlotOf)).size).toBeGreaterThan(1);
  });
});
