import { afterAll, describe, expect, it } from '@jest/globals';
import { TOPICS } from '@onecommons/contracts';
import { eventually, RawProducer, testStack, uniqueSuffix } from '@onecommons/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { consumerGroupsOf } from '../src/stack/consumer-groups.js';
import { lagSummary } from '../src/stack/consumer-lag-report.js';

// What `./dev status` asks the broker, against the test stack's broker: the topics each group consumes and
// its lag. Other test files write to the platform's topics meanwhile, so the numbers are checked as bounds.

const TOPIC = TOPICS.provisionerEvents.name;
const suffix = uniqueSuffix();
const kafka = new Kafka({
  clientId: `t-status-${suffix}`,
  brokers: testStack().kafkaBrokers.split(','),
  logLevel: logLevel.NOTHING,
});
const consumers: Consumer[] = [];
/** Lets the stuck member's handler finish (a consumer disconnects only after its message). */
let release: () => void = () => undefined;

afterAll(async () => {
  release();
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
});

describe('consumerGroupsOf', () => {
  it("reports a stuck group's backlog on the topics it subscribes to, then on those it committed to once it is gone, and a group that consumes nothing", async () => {
    const key = `t-status-${suffix}`;
    const producer = await RawProducer.connect();
    try {
      for (let index = 0; index < 5; index++) await producer.send(TOPIC, key, `not an event ${index}`);
    } finally {
      await producer.stop();
    }
    const stuck = `t-status-stuck-${suffix}`;
    const idle = `t-status-idle-${suffix}`;

    // A live member that never finishes its first message: it has committed nothing.
    const consumer = kafka.consumer({ groupId: stuck, sessionTimeout: 10_000 });
    consumers.push(consumer);
    let fetched = false;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async () => {
        fetched = true;
        await gate;
      },
    });
    await eventually('the member to fetch', async () => (fetched ? true : undefined));

    const reports = await consumerGroupsOf(testStack().kafkaBrokers, { ledger: stuck, identity: idle });
    const report = reports['ledger'];
    if (!report || 'error' in report)
      throw new Error(`no lag for the stuck group: ${JSON.stringify(report)}`);
    expect(Object.keys(report.topics)).toEqual([TOPIC]);
    const topic = report.topics[TOPIC];
    expect(topic?.partitions.map((entry) => entry.partition)).toEqual([0, 1, 2]);
    expect(topic?.partitions.every((entry) => entry.committed === null)).toBe(true);
    // Never committed: everything on the log is its backlog, our 5 messages included.
    expect(topic?.lag).toBe(topic?.partitions.reduce((sum, entry) => sum + Number(entry.end), 0));
    expect(report.lag).toBeGreaterThanOrEqual(5);
    expect(lagSummary(report)).toBe(`lag ${report.lag} (${TOPIC} ${report.lag})`);
    expect(reports['identity']).toEqual({ group: idle, lag: 0, topics: {} });

    // Gone, with offsets committed at the ends: no member subscribes, its committed offsets still name the topic.
    release(); // autoCommit is off: what it now runs through is still not committed
    await consumer.disconnect();
    consumers.pop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(TOPIC);
      await admin.setOffsets({
        groupId: stuck,
        topic: TOPIC,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
      const after = (await consumerGroupsOf(testStack().kafkaBrokers, { ledger: stuck }))['ledger'];
      if (!after || 'error' in after)
        throw new Error(`no lag for the stopped group: ${JSON.stringify(after)}`);
      expect(Object.keys(after.topics)).toEqual([TOPIC]);
      const committed = new Map(ends.map(({ partition, high }) => [partition, high]));
      for (const entry of after.topics[TOPIC]?.partitions ?? []) {
        expect(entry.committed).toBe(committed.get(entry.partition));
        expect(entry.lag).toBe(Number(entry.end) - Number(entry.committed));
      }
    } finally {
      await admin.deleteGroups([stuck]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('says the broker is unreachable, for every group, when nothing answers', async () => {
    const reports = await consumerGroupsOf('127.0.0.1:1', { ledger: 'ledger', payouts: 'payouts' });
    expect(Object.keys(reports).sort()).toEqual(['ledger', 'payouts']);
    for (const report of Object.values(reports))
      expect(report).toMatchObject({ error: expect.stringMatching(/unreachable/) });
  });
});
