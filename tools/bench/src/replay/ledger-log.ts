import {
  createEvent,
  MeterDefinedV2,
  ServiceTypeDefinedV1,
  SubscriberRegisteredV2,
  UsageRecordedV1,
  uuidV7,
  type CloudEvent,
} from '@onecommons/contracts';
import { type Kafka, Partitioners } from 'kafkajs';

export interface LedgerLogShape {
  readonly usageEvents: number;
  readonly subscribers: number;
  readonly services: number;
  readonly period: string;
}

/** What a replay of the log must rebuild, to check it did. */
export interface LedgerLogContents {
  /** Every message produced: the catalog's and identity's facts and the usage. */
  readonly messages: number;
  readonly usageEvents: number;
  readonly subscribers: number;
  readonly usageQuantity: bigint;
}

const METERS = ['active_seconds', 'requests', 'storage_mb_hours'] as const;
const SEND_BATCH = 2_000;

/**
 * A ledger's log as a month of a platform leaves it: the meters and a service type (catalog), the subscribers
 * (identity), then UsageRecorded for them (metering: 1–3 usage rows each, spread over the services), produced
 * straight to Kafka as the services' relays would, keyed by aggregate.
 */
export async function produceLedgerLog(kafka: Kafka, shape: LedgerLogShape): Promise<LedgerLogContents> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const catalog = { source: '/onecommons/catalog' };
    const facts: CloudEvent[] = [
      ...METERS.map((name) =>
        createEvent(
          MeterDefinedV2,
          { name, weight: '1', unit: 'unit', bound: { per: 'period', max: '1000000000' } },
          catalog,
        ),
      ),
      createEvent(
        ServiceTypeDefinedV1,
        { name: 'web-app', providerBps: 3_000, developerBps: 3_000 },
        catalog,
      ),
    ];
    const registeredAt = new Date().toISOString();
    const subscribers = Array.from({ length: shape.subscribers }, () => uuidV7());
    const registrations = subscribers.map((subscriberId) =>
      createEvent(
        SubscriberRegisteredV2,
        { subscriberId, emailVerified: true, registeredAt },
        { source: '/onecommons/identity' },
      ),
    );
    await send(producer, [...facts, ...registrations]);
    const services = Array.from({ length: shape.services }, () => uuidV7());
    let usageQuantity = 0n;
    const recordedAt = new Date().toISOString();
    for (let first = 0; first < shape.usageEvents; first += SEND_BATCH) {
      const usage: CloudEvent[] = [];
      for (let index = first; index < Math.min(shape.usageEvents, first + SEND_BATCH); index++) {
        const rows = Array.from({ length: 1 + (index % 3) }, (_, row) => ({
          serviceId: services[(index + row * 7) % services.length] as string,
          meter: METERS[row] as string,
          quantity: String(1 + (index % 60)),
          events: 1,
        }));
        usageQuantity += rows.reduce((sum, row) => sum + BigInt(row.quantity), 0n);
        const subscriberId = subscribers[index % subscribers.length] as string;
        usage.push(
          createEvent(
            UsageRecordedV1,
            { subscriberId, period: shape.period, usage: rows, recordedAt },
            { source: '/onecommons/metering' },
          ),
        );
      }
      await send(producer, usage);
    }
    return {
      messages: facts.length + registrations.length + shape.usageEvents,
      usageEvents: shape.usageEvents,
      subscribers: shape.subscribers,
      usageQuantity,
    };
  } finally {
    await producer.disconnect();
  }
}

async function send(producer: ReturnType<Kafka['producer']>, events: readonly CloudEvent[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const event of events) {
    const topic = topicOf(event);
    const messages = byTopic.get(topic) ?? [];
    messages.push({ key: event.subject ?? event.id, value: JSON.stringify(event) });
    byTopic.set(topic, messages);
  }
  for (const [topic, messages] of byTopic) {
    for (let first = 0; first < messages.length; first += SEND_BATCH)
      await producer.send({ topic, acks: -1, messages: messages.slice(first, first + SEND_BATCH) });
  }
}

function topicOf(event: CloudEvent): string {
  for (const contract of [MeterDefinedV2, ServiceTypeDefinedV1, SubscriberRegisteredV2, UsageRecordedV1])
    if (contract.type === event.type) return contract.topic;
  throw new Error(`no topic known for ${event.type}`);
}
