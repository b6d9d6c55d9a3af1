import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bullmqPrefixOf, MAINTENANCE_QUEUE, PRUNE_OUTBOX_JOB } from '@onecommons/service-kit';
import { eventually, PrivateRedis, type RunningService, startService } from '@onecommons/testing';
import { Queue } from 'bullmq';
import { ledgerService } from '../src/ledger.definition.js';
import { CLOSE_DUE_PERIODS, PERIOD_CLOSE_QUEUE } from '../src/periods/period-close.scheduler.js';

// The ledger's job schedules live in Redis; a Redis that loses everything (a flush, a restart without
// persistence) must not stop period closes until the next boot: the schedules come back and run again.

let redis: PrivateRedis;
let ledger: RunningService;
let periodClose: Queue;
let maintenance: Queue;

beforeAll(async () => {
  redis = await PrivateRedis.start(); // flushed below: never the stack's shared Redis
  ledger = await startService(ledgerService, {
    env: {
      REDIS_URL: redis.url,
      LEDGER_CURRENCY: 'EUR',
      LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off',
      LEDGER_CLOSE_SCHEDULE_SECONDS: '1',
      JOB_SCHEDULE_CHECK_INTERVAL_MS: '200',
      LEADER_LEASE_RETRY_MS: '200',
    },
  });
  const queueOptions = {
    connection: { url: redis.url },
    prefix: bullmqPrefixOf(ledger.env['BULLMQ_PREFIX'], ledger.schema),
  };
  periodClose = new Queue(PERIOD_CLOSE_QUEUE, queueOptions);
  maintenance = new Queue(MAINTENANCE_QUEUE, queueOptions);
});

afterAll(async () => {
  await periodClose?.close();
  await maintenance?.close();
  await ledger?.stop();
  await redis?.stop();
});

/** A period-close job that finished after `since`, if any. */
async function closeRunSince(since: number): Promise<true | undefined> {
  const finished = await periodClose.getJobs(['completed'], 0, 20);
  return finished.some((job) => job.name === CLOSE_DUE_PERIODS && (job.finishedOn ?? 0) > since)
    ? true
    : undefined;
}

describe('job schedules after Redis lost everything', () => {
  it('come back, and the period close runs again, without a restart', async () => {
    await eventually('a scheduled period close ran', () => closeRunSince(0));

    const flushedAt = Date.now();
    await redis.flushAll();

    await eventually('the period-close schedule is back', async () =>
      (await periodClose.getJobScheduler(CLOSE_DUE_PERIODS)) ? true : undefined,
    );
    await eventually('the outbox-prune schedule is back', async () =>
      (await maintenance.getJobScheduler(PRUNE_OUTBOX_JOB)) ? true : undefined,
    );
    await eventually('a period close ran after the flush', () => closeRunSince(flushedAt));
    expect((await periodClose.getJobScheduler(CLOSE_DUE_PERIODS))?.every).toBe(1000);
  });
});
