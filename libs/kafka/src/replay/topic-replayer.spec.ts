import { describe, expect, it } from '@jest/globals';
import { type KafkaMessage } from 'kafkajs';
import { mergedByEventTime } from './topic-replayer.js';

const message = (offset: number, time: string | undefined, id = `e${offset}`): KafkaMessage =>
  ({
    offset: String(offset),
    value: Buffer.from(JSON.stringify({ id, ...(time ? { time } : {}) })),
  }) as unknown as KafkaMessage;

const order = (merged: ReturnType<typeof mergedByEventTime>) =>
  merged.map(({ partition, message }) => `${partition}@${message.offset}`);

describe('mergedByEventTime', () => {
  it('interleaves partitions by the time each event was decided', () => {
    // A close of March (partition 1) made before a close of November (partition 0), read partition by partition.
    const merged = mergedByEventTime([
      { topic: 'ledger.events.v1', partition: 0, messages: [message(0, '2026-12-03T12:00:14.000Z')] },
      {
        topic: 'ledger.events.v1',
        partition: 1,
        messages: [message(0, '2026-12-03T11:58:20.000Z'), message(1, '2026-12-03T11:58:28.000Z')],
      },
    ]);
    expect(order(merged)).toEqual(['1@0', '1@1', '0@0']);
  });

  it("keeps each partition's order where its times go backwards, and breaks ties by partition", () => {
    const merged = mergedByEventTime([
      {
        topic: 't',
        partition: 1,
        messages: [message(0, '2026-01-01T00:00:02.000Z'), message(1, '2026-01-01T00:00:01.000Z')],
      },
      { topic: 't', partition: 0, messages: [message(0, '2026-01-01T00:00:02.000Z')] },
    ]);
    expect(order(merged)).toEqual(['0@0', '1@0', '1@1']);
  });

  it('puts a message without a readable time as early as its partition allows', () => {
    const unreadable = { offset: '1', value: Buffer.from('not json') } as unknown as KafkaMessage;
    const merged = mergedByEventTime([
      { topic: 't', partition: 0, messages: [message(0, '2026-01-01T00:00:05.000Z'), unreadable] },
      { topic: 't', partition: 1, messages: [message(0, undefined), message(1, '2026-01-01T00:00:09.000Z')] },
    ]);
    expect(order(merged)).toEqual(['1@0', '0@0', '0@1', '1@1']);
  });
});
