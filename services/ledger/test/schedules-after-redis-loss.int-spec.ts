import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@onecommons/config';
import {
  bullmqPrefixOf,
  JobSchedules,
  MAINTENANCE_QUEUE,
  PRUNE_OUTBOX_JOB,
  rootModuleOf,
} from '@onecommons/service-kit';
import { eventually, PrivateRedis, type RunningService, startService } from '@onecommons/testing';
import { Queue } from 'bullmq';
import { ledgerConfigSchema } from '../src/config.js';
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

describe('a command process (a close or an adjustment from the command line)', () => {
  it('keeps no job schedule, even once the serving process would have checked them several times', async () => {
    const quiet = await PrivateRedis.start(); // its own Redis: the serving ledger's schedules stay out of it
    const config = loadConfig(ledgerConfigSchema, { ...ledger.env, REDIS_URL: quiet.url });
    const command = await NestFactory.createApplicationContext(
      rootModuleOf(ledgerService, config, { mode: 'command' }),
      { logger: ['error'] },
    );
    const queueOptions = {
      connection: { url: quiet.url },
      prefix: bullmqPrefixOf(config.BULLMQ_PREFIX, ledger.schema),
    };
    const queues = [new Queue(PERIOD_CLOSE_QUEUE, queueOptions), new Queue(MAINTENANCE_QUEUE, queueOptions)];
    try {
      expect(await command.get(JobSchedules).restoreLost()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 5 * 200)); // JOB_SCHEDULE_CHECK_INTERVAL_MS
      for (const queue of queues) expect(await queue.getJobSchedulersCount()).toBe(0);
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      await command.close();
      await quiet.stop();
    }
  });
});
