import { allTopicNamesWithDlq } from '@onecommons/contracts';
import {
  kafkaClientSecurity,
  kafkaSecurityFromEnvironment,
  measureConsumerLag,
  topicWatermarks,
} from '@onecommons/kafka';
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { eventually } from './eventually.js';
import { testStack, uniqueSuffix } from './test-stack.js';

export interface ObservedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: string | undefined;
  /** The CloudEvent id when the value is a JSON object with one (messages of other tests may be anything). */
  readonly eventId: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

function kafka(): Kafka {
  return new Kafka({
    clientId: `test-${uniqueSuffix()}`,
    brokers: testStack().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    ...kafkaClientSecurity(kafkaSecurityFromEnvironment()),
  });
}

function eventIdOf(value: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as unknown;
    const id = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'id') : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? String(value[0]) : String(value),
    ]),
  );
}

/**
 * Reads topics from the beginning with a throwaway consumer group and keeps every message, so a test can
 * assert on what a service published (or dead-lettered) without being a consumer of the platform.
 */
export class TopicProbe {
  readonly messages: ObservedMessage[] = [];
  /** The highest offset seen per `topic:partition`. */
  private readonly reached = new Map<string, bigint>();
  private constructor(
    private readonly consumer: Consumer,
    private readonly topics: readonly string[],
  ) {}

  static async start(topics: readonly string[]): Promise<TopicProbe> {
    // Stopping waits for the fetch in flight, which an idle topic holds for maxWaitTimeInMs (5 s by default).
    const consumer = kafka().consumer({
      groupId: `probe-${uniqueSuffix()}`,
      sessionTimeout: 10_000,
      maxWaitTimeInMs: 500,
    });
    const probe = new TopicProbe(consumer, topics);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        probe.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value?.toString(),
          eventId: eventIdOf(message.value?.toString()),
          headers: headerStrings(message.headers),
        });
        probe.reached.set(`${topic}:${partition}`, BigInt(message.offset));
      },
    });
    return probe;
  }

  /**
   * Waits until the probe has seen every message on its topics as of this call, so what it lacks then, Kafka
   * lacked too (the platform's producers write no transactions, so a partition's last offset is a message).
   */
  async readToEnd({ timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const admin = kafka().admin();
    await admin.connect();
    let ends: { topic: string; partition: number; low: bigint; high: bigint }[];
    try {
      ends = (
        await Promise.all(
          this.topics.map(async (topic) =>
            (await topicWatermarks(admin, topic)).map(({ partition, low, high }) => ({
              topic,
              partition,
              low: BigInt(low),
              high: BigInt(high),
            })),
          ),
        )
      ).flat();
    } finally {
      await admin.disconnect();
    }
    await eventually(
      `the probe at the end of ${this.topics.join(', ')}`,
      async () =>
        ends.every(
          ({ topic, partition, low, high }) =>
            high === low || (this.reached.get(`${topic}:${partition}`) ?? -1n) >= high - 1n,
        )
          ? true
          : undefined,
      { timeoutMs, intervalMs: 100 },
    );
  }

  matching(predicate: (message: ObservedMessage) => boolean): ObservedMessage[] {
    return this.messages.filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/**
 * Drops every message the platform's topics hold (their log start moves to their end), so services and replays
 * started next read only what comes after. Topics stay as they are: no deletion for the cluster to settle.
 */
export async function emptyPlatformTopics(): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of allTopicNamesWithDlq().filter((name) => existing.has(name))) {
      const partitions = (await topicWatermarks(admin, topic))
        .filter(({ low, high }) => high !== low)
        .map(({ partition, high }) => ({ partition, offset: high }));
      if (partitions.length > 0) await admin.deleteTopicRecords({ topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
}

/** A plain producer, for messages a service did not write: foreign, old-version or malformed ones. */
export class RawProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(): Promise<RawProducer> {
    const producer = kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new RawProducer(producer);
  }

  async send(topic: string, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}

/**
 * Whether a consumer group has nothing left to read on every partition of the topics, as the services' own lag
 * metric counts it (`lagOf`: a group that never committed resumes at the log start, so an emptied partition is
 * caught up).
 */
export async function consumerCaughtUp(groupId: string, topics: readonly string[]): Promise<boolean> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return (await measureConsumerLag(admin, groupId, topics)).every((partition) => partition.lag === 0);
  } finally {
    await admin.disconnect();
  }
}
