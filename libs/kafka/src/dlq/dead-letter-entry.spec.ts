import { type KafkaMessage } from 'kafkajs';
import {
  describeDeadLetter,
  parseDlqPosition,
  summarizeDeadLetterTopic,
  type DlqMessage,
} from './dead-letter-entry.js';
import { DLQ_HEADERS } from './dead-letter-headers.js';

const DLQ = 'identity.events.v1.dlq';

function kafkaMessage(
  offset: string,
  value: string | null,
  headers: Record<string, string | Buffer | string[]> = {},
  key: string | null = 'aggregate-1',
): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    offset,
    headers,
  };
}

const dlqHeaders = {
  [DLQ_HEADERS.originalTopic]: Buffer.from('identity.events.v1'),
  [DLQ_HEADERS.originalPartition]: Buffer.from('2'),
  [DLQ_HEADERS.originalOffset]: Buffer.from('41'),
  [DLQ_HEADERS.consumerGroup]: Buffer.from('metering'),
  [DLQ_HEADERS.reason]: Buffer.from('handler_failed'),
  [DLQ_HEADERS.error]: Buffer.from('boom'),
  [DLQ_HEADERS.attempts]: Buffer.from('5'),
  [DLQ_HEADERS.failedAt]: Buffer.from('2025-01-02T03:04:05.000Z'),
  traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
};

const event = JSON.stringify({ id: 'evt-1', type: 'onecommons.identity.subscriber.registered.v2', data: {} });

describe('describeDeadLetter', () => {
  it('reads the key, the CloudEvent id and type, and every DLQ header', () => {
    expect(describeDeadLetter(DLQ, 1, kafkaMessage('7', event, dlqHeaders))).toEqual({
      partition: 1,
      offset: '7',
      key: 'aggregate-1',
      eventId: 'evt-1',
      eventType: 'onecommons.identity.subscriber.registered.v2',
      originalTopic: 'identity.events.v1',
      originalPartition: 2,
      originalOffset: '41',
      consumerGroup: 'metering',
      reason: 'handler_failed',
      error: 'boom',
      attempts: 5,
      failedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it.each([
    ['not JSON', '{"id": "evt-1"'],
    ['a JSON array', '["evt-1"]'],
    ['a JSON string', '"evt-1"'],
    ['an object without string id and type', '{"id": 7, "type": ""}'],
  ])('gives null id and type for a value that is %s', (_what, value) => {
    const entry = describeDeadLetter(DLQ, 0, kafkaMessage('0', value, dlqHeaders));
    expect([entry.eventId, entry.eventType]).toEqual([null, null]);
  });

  it('survives a null value, a null key and missing or malformed headers', () => {
    const entry = describeDeadLetter(
      DLQ,
      0,
      kafkaMessage(
        '3',
        null,
        {
          [DLQ_HEADERS.originalPartition]: 'two',
          [DLQ_HEADERS.attempts]: '-1',
          [DLQ_HEADERS.originalOffset]: '',
        },
        null,
      ),
    );
    expect(entry).toEqual({
      partition: 0,
      offset: '3',
      key: null,
      eventId: null,
      eventType: null,
      originalTopic: 'identity.events.v1',
      originalPartition: null,
      originalOffset: null,
      consumerGroup: null,
      reason: null,
      error: null,
      attempts: null,
      failedAt: null,
    });
  });
});

describe('parseDlqPosition', () => {
  it.each([
    ['0:12', '0:12'],
    ['02:007', '2:7'],
    [' 1:9223372036854775807 ', '1:9223372036854775807'],
  ])('reads %j as %j', (text, position) => expect(parseDlqPosition(text)).toBe(position));

  it.each(['', '1', '1:', ':2', '-1:2', '1:2:3', 'a:1', '1:2.5'])('refuses %j', (text) =>
    expect(parseDlqPosition(text)).toBeUndefined(),
  );
});

describe('summarizeDeadLetterTopic', () => {
  const letter = (partition: number, offset: string, id: string): DlqMessage => ({
    partition,
    message: kafkaMessage(offset, JSON.stringify({ id, type: 't' }), dlqHeaders),
  });
  const marker = (partition: number, offset: string, position: string): DlqMessage => ({
    partition,
    message: kafkaMessage(offset, null, { [DLQ_HEADERS.redrivenOffset]: position }, null),
  });

  it('orders letters by partition then numeric offset and never lists markers', () => {
    const contents = summarizeDeadLetterTopic(DLQ, [
      letter(1, '10', 'c'),
      letter(0, '9', 'b'),
      letter(0, '10', 'a2'),
      letter(0, '2', 'a1'),
      marker(2, '0', '5:5'),
    ]);
    expect(contents.pending.map((record) => record.entry.eventId)).toEqual(['a1', 'b', 'a2', 'c']);
    expect(contents.redriven).toEqual([]);
  });

  it('moves letters a marker names to redriven, whichever partition the marker is in', () => {
    const contents = summarizeDeadLetterTopic(DLQ, [
      letter(0, '1', 'kept'),
      letter(0, '2', 'redriven-here'),
      letter(1, '4', 'redriven-elsewhere'),
      marker(0, '3', '0:2'),
      marker(2, '8', '01:0004'),
      marker(0, '5', 'garbage'),
    ]);
    expect(contents.topic).toBe(DLQ);
    expect(contents.pending.map((record) => record.entry.eventId)).toEqual(['kept']);
    expect(contents.redriven.map((record) => record.entry.eventId)).toEqual([
      'redriven-here',
      'redriven-elsewhere',
    ]);
  });

  it('keeps the message a letter was read from, for the redrive', () => {
    const read = letter(0, '1', 'x');
    expect(summarizeDeadLetterTopic(DLQ, [read]).pending[0]?.message).toBe(read.message);
  });

  it('refuses a topic that is not a DLQ', () => {
    expect(() => summarizeDeadLetterTopic('identity.events.v1', [])).toThrow('not a dead-letter topic');
  });
});
