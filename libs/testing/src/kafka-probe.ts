import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
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
    brokers: [testStack().kafkaBrokers],
    logLevel: logLevel.NOTHING,
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
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: readonly string[]): Promise<TopicProbe> {
    const consumer = kafka().consumer({ groupId: `probe-${uniqueSuffix()}`, sessionTimeout: 10_000 });
    const probe = new TopicProbe(consumer);
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
      },
    });
    return probe;
  }

  matching(predicate: (message: ObservedMessage) => boolean): ObservedMessage[] {
    return this.messages.filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
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

/** Whether a consumer group has committed, on every partition of the topics, the offset of the end. */
export async function consumerCaughtUp(groupId: string, topics: readonly string[]): Promise<boolean> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const { topic, partitions } of committed) {
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, Number(entry.high)]),
      );
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition) ?? 0;
        const at = Number(offset) < 0 ? 0 : Number(offset);
        if (at < end) return false;
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}
