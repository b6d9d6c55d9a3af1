import { isDlqTopic, originalTopicOf } from '@onecommons/contracts';
import { type KafkaMessage } from 'kafkajs';
import { headerString } from '../trace-context.js';
import { DLQ_HEADERS } from './dead-letter-headers.js';

/** One dead-lettered message as an operator sees it (`commons dlq list`); JSON-safe. */
export interface DeadLetterEntry {
  /** Where it sits in the DLQ topic; `<partition>:<offset>` names it for a redrive. */
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** CloudEvent `id` and `type` when the value is a JSON object carrying them (else null: poison). */
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly originalTopic: string;
  readonly originalPartition: number | null;
  readonly originalOffset: string | null;
  readonly consumerGroup: string | null;
  readonly reason: string | null;
  readonly error: string | null;
  readonly attempts: number | null;
  readonly failedAt: string | null;
}

/** An entry with the message it was read from, which a redrive re-publishes unchanged. */
export interface DeadLetterRecord {
  readonly entry: DeadLetterEntry;
  readonly message: KafkaMessage;
}

/** A message as read from a DLQ partition: a dead letter or a redrive marker. */
export interface DlqMessage {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** What a DLQ topic holds: letters still waiting, and those a marker says were redriven. */
export interface DeadLetterTopicContents {
  readonly topic: string;
  readonly pending: readonly DeadLetterRecord[];
  readonly redriven: readonly DeadLetterRecord[];
}

const DIGITS = /^\d+$/;

/** `<partition>:<offset>` of a DLQ message, the form markers and `--id` use. */
export function dlqPosition(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

/** Parses `<partition>:<offset>` into its canonical form (no leading zeros), or undefined. */
export function parseDlqPosition(text: string): string | undefined {
  const match = /^\s*(\d{1,10}):(\d{1,19})\s*$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return dlqPosition(Number(match[1]), BigInt(match[2]).toString());
}

export function describeDeadLetter(
  dlqTopic: string,
  partition: number,
  message: KafkaMessage,
): DeadLetterEntry {
  const header = (name: string) => headerString(message.headers, name) ?? null;
  const { eventId, eventType } = envelopeIdentity(message.value);
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    eventId,
    eventType,
    originalTopic: header(DLQ_HEADERS.originalTopic) ?? originalTopicOf(dlqTopic),
    originalPartition: nonNegativeInteger(header(DLQ_HEADERS.originalPartition)),
    originalOffset: digitsOrNull(header(DLQ_HEADERS.originalOffset)),
    consumerGroup: header(DLQ_HEADERS.consumerGroup),
    reason: header(DLQ_HEADERS.reason),
    error: header(DLQ_HEADERS.error),
    attempts: nonNegativeInteger(header(DLQ_HEADERS.attempts)),
    failedAt: header(DLQ_HEADERS.failedAt),
  };
}

/**
 * Splits what was read from one DLQ topic into pending and redriven letters, in partition and offset
 * order. Markers (any message with the redriven-offset header) are never letters themselves.
 */
export function summarizeDeadLetterTopic(
  dlqTopic: string,
  messages: readonly DlqMessage[],
): DeadLetterTopicContents {
  if (!isDlqTopic(dlqTopic)) throw new Error(`${dlqTopic} is not a dead-letter topic`);
  const marked = new Set<string>();
  const letters: DeadLetterRecord[] = [];
  for (const { partition, message } of messages) {
    const marker = headerString(message.headers, DLQ_HEADERS.redrivenOffset);
    if (marker !== undefined) {
      const position = parseDlqPosition(marker);
      if (position !== undefined) marked.add(position);
      continue;
    }
    letters.push({ entry: describeDeadLetter(dlqTopic, partition, message), message });
  }
  letters.sort(byPosition);
  const isMarked = (record: DeadLetterRecord) =>
    marked.has(dlqPosition(record.entry.partition, record.entry.offset));
  return {
    topic: dlqTopic,
    pending: letters.filter((record) => !isMarked(record)),
    redriven: letters.filter(isMarked),
  };
}

function byPosition(a: DeadLetterRecord, b: DeadLetterRecord): number {
  if (a.entry.partition !== b.entry.partition) return a.entry.partition - b.entry.partition;
  const left = BigInt(a.entry.offset);
  const right = BigInt(b.entry.offset);
  return left < right ? -1 : left > right ? 1 : 0;
}

function envelopeIdentity(value: Buffer | null): { eventId: string | null; eventType: string | null } {
  if (value === null) return { eventId: null, eventType: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { eventId: null, eventType: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { eventId: null, eventType: null };
  }
  const id: unknown = Reflect.get(parsed, 'id');
  const type: unknown = Reflect.get(parsed, 'type');
  return {
    eventId: typeof id === 'string' && id !== '' ? id : null,
    eventType: typeof type === 'string' && type !== '' ? type : null,
  };
}

function nonNegativeInteger(text: string | null): number | null {
  if (text === null || !DIGITS.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

function digitsOrNull(text: string | null): string | null {
  return text !== null && DIGITS.test(text) ? text : null;
}
