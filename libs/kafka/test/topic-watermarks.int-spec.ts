import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { uniqueSuffix } from '@onecommons/testing';
import { type Admin, type Kafka } from 'kafkajs';
import { createKafka, topicWatermarks } from '../src/index.js';
import { testSettings } from './backbone-harness.js';

// Lag readings and replays ask for many topics' watermarks at once on one admin; kafkajs's own
// fetchTopicOffsets then sometimes answers from metadata another call replaced (a TypeError, tulios/kafkajs#461),
// and right after topics are made it gives up on a retriable "not the leader".

const TOPICS = Array.from({ length: 12 }, (_, index) => `t-watermarks-${index}-${uniqueSuffix()}`);
let kafka: Kafka;

beforeAll(async () => {
  kafka = createKafka(testSettings(), `test-watermarks-${uniqueSuffix()}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: TOPICS.map((topic) => ({ topic, numPartitions: 3 })),
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPICS[0] as string,
    acks: -1,
    messages: [0, 1, 2, 3].map((index) => ({ key: `k${index}`, value: 'v', partition: index % 3 })),
  });
  await producer.disconnect();
  await admin.disconnect();
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: TOPICS }).catch(() => undefined);
  await admin.disconnect();
});

async function onFreshAdmin<T>(read: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await read(admin);
  } finally {
    await admin.disconnect();
  }
}

it('gives every partition of every topic when many topics are asked at once on one admin', async () => {
  const oneByOne = await onFreshAdmin(async (admin) => {
    const all = [];
    for (const topic of TOPICS) all.push(await topicWatermarks(admin, topic));
    return all;
  });
  expect(oneByOne.map((partitions) => partitions.length)).toEqual(TOPICS.map(() => 3));
  expect(oneByOne[0]?.some(({ high }) => high !== '0')).toBe(true);

  for (let round = 0; round < 5; round++) {
    const atOnce = await onFreshAdmin((admin) =>
      Promise.all(TOPICS.map((topic) => topicWatermarks(admin, topic))),
    );
    expect(atOnce).toEqual(oneByOne);
  }
});
