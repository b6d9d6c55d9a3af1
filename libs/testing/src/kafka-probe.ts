import { allTopicNamesWithDlq } from '@onecommons/contracts';
import {
  kafkaClientSecurity,
  kafkaSecurityFromEnvironment,
  measureConsumerLag,
  topicWatermarks,
} from '@onecommons/kafka';
import { type Admin, Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
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
  const caughtUp = async (admin: Admin) =>
    (await measureConsumerLag(admin, groupId, topics)).every((partition) => partition.lag === 0);
  if (!lagAdminShared) {
    const admin = await connectedAdmin();
    try {
      return await caughtUp(admin);
    } finally {
      await admin.disconnect();
    }
  }
  const shared = (lagAdmin ??= connectedAdmin());
  try {
    return await caughtUp(await shared);
  } catch (error) {
    // Connected again at the next check (`eventually` retries a check that throws).
    if (lagAdmin === shared) lagAdmin = undefined;
    await shared.then((admin) => admin.disconnect()).catch(() => undefined);
    throw error;
  }
}

/**
 * The admin client `consumerCaughtUp` shares within an integration test file: tests poll it many times a second
 * while they wait, and a client connected for each check cost 9-18 ms of CPU and 68-85 ms against 3-4 ms and
 * 8-11 ms for the check on a connected one. jest/shared-clients.ts shares it from the file's start and disconnects
 * it in an `afterAll`; a check before or after that, or in a tier without it, connects a client of its own.
 */
let lagAdmin: Promise<Admin> | undefined;
let lagAdminShared = false;

async function connectedAdmin(): Promise<Admin> {
  const admin = kafka().admin();
  await admin.connect();
  return admin;
}

/** Lag checks share one client from now on, until `closeSharedLagAdmin`. */
export function shareLagAdmin(): void {
  lagAdminShared = true;
}

/** Disconnects the client lag checks share (at the end of a test file); later checks connect their own. */
export async function closeSharedLagAdmin(): Promise<void> {
  lagAdminShared = false;
  const shared = lagAdmin;
  lagAdmin = undefined;
  await shared?.then((admin) => admin.disconnect()).catch(() => undefined);
}
