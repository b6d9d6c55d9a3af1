import { isDlqTopic, originalTopicOf } from '@onecommons/contracts';
import { Partitioners, type IHeaders, type Kafka, type Message } from 'kafkajs';
import { dlqPosition, type DeadLetterEntry } from './dead-letter-entry.js';
import { DLQ_HEADERS, isDlqHeader } from './dead-letter-headers.js';
import { DeadLetterReader } from './dead-letter-reader.js';
import { planRedrive, selectForRedrive, type RedriveItem } from './redrive-selection.js';

export type RedriveOutcome =
  | {
      readonly ok: true;
      readonly dlqTopic: string;
      readonly originalTopic: string;
      /** Every letter now marked as redriven (one per consumer group that gave up on a message). */
      readonly redriven: readonly DeadLetterEntry[];
      /** How many messages went back on the original topic (letters of one message go back once). */
      readonly republished: number;
      readonly alreadyRedriven: readonly string[];
    }
  | { readonly ok: false; readonly dlqTopic: string; readonly unknownIds: readonly string[] };

/**
 * Puts dead letters back on their original topic, as they were (key, value, and every header but the
 * `oc-dlq-*` ones, so the trace continues), then appends a marker per letter to the DLQ so they are not
 * listed or redriven again. Redelivery is harmless: consumers are idempotent on the CloudEvent id.
 */
export class DeadLetterRedriver {
  constructor(
    private readonly kafka: Kafka,
    private readonly reader: DeadLetterReader = new DeadLetterReader(kafka),
  ) {}

  /** Redrives every pending letter of `dlqTopic`, or those named by CloudEvent id or `<partition>:<offset>`. */
  async redrive(dlqTopic: string, ids: readonly string[] = []): Promise<RedriveOutcome> {
    if (!isDlqTopic(dlqTopic)) throw new Error(`${dlqTopic} is not a dead-letter topic`);
    const [contents] = await this.reader.read([dlqTopic]);
    if (!contents) throw new Error(`reading ${dlqTopic} returned nothing`);
    const selection = selectForRedrive(contents, ids);
    if (!selection.ok) return { ok: false, dlqTopic, unknownIds: selection.unknownIds };
    const originalTopic = originalTopicOf(dlqTopic);
    const items = planRedrive(selection.selected);
    if (items.length > 0) await this.send(dlqTopic, originalTopic, items);
    return {
      ok: true,
      dlqTopic,
      originalTopic,
      redriven: selection.selected.map((record) => record.entry),
      republished: items.length,
      alreadyRedriven: selection.alreadyRedriven,
    };
  }

  /**
   * Copies first, markers after, each acknowledged by all replicas: a failure in between leaves the letters
   * listed, and redriving them again only delivers a duplicate that consumers recognise.
   */
  private async send(dlqTopic: string, originalTopic: string, items: readonly RedriveItem[]): Promise<void> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The relay's partitioner: a copy lands in its aggregate's partition, after its siblings.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({
        topic: originalTopic,
        acks: -1,
        messages: items.map(({ republish }) => ({
          key: republish.message.key,
          value: republish.message.value,
          headers: withoutDlqHeaders(republish.message.headers),
        })),
      });
      await producer.send({
        topic: dlqTopic,
        acks: -1,
        messages: items.flatMap(({ settles }) => settles.map(({ entry }) => redriveMarker(entry))),
      });
    } finally {
      await producer.disconnect();
    }
  }
}

/** A marker sits in the letter's own partition; its null value keeps it from looking like a letter. */
export function redriveMarker(entry: DeadLetterEntry): Message {
  return {
    partition: entry.partition,
    key: null,
    value: null,
    headers: { [DLQ_HEADERS.redrivenOffset]: dlqPosition(entry.partition, entry.offset) },
  };
}

export function withoutDlqHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !isDlqHeader(name)));
}
