import { describe, expect, it } from '@jest/globals';
import { redeliveryHorizonMs, topicLifetimeOf, type TopicLifetime } from './processed-events-pruner.js';

const HOUR = 3_600_000;

function lifetimes(...entries: (TopicLifetime | undefined)[]): Map<string, TopicLifetime> {
  return new Map(entries.flatMap((entry) => (entry ? [[entry.topic, entry] as const] : [])));
}

const config = (retention: number, segment: number, policy = 'delete') =>
  new Map([
    ['retention.ms', String(retention)],
    ['segment.ms', String(segment)],
    ['cleanup.policy', policy],
  ]);

describe('topicLifetimeOf', () => {
  it('is the retention plus the segment roll time: a message goes only with its whole segment', () => {
    expect(topicLifetimeOf('t', config(168 * HOUR, 168 * HOUR))).toMatchObject({
      retentionMs: 168 * HOUR,
      segmentMs: 168 * HOUR,
      lifetimeMs: 336 * HOUR,
    });
  });

  it('is forever for a topic without time retention or with compaction', () => {
    expect(topicLifetimeOf('t', config(-1, HOUR))?.lifetimeMs).toBeNull();
    expect(topicLifetimeOf('t', config(HOUR, HOUR, 'compact'))?.lifetimeMs).toBeNull();
    expect(topicLifetimeOf('t', config(HOUR, HOUR, 'delete,compact'))?.lifetimeMs).toBeNull();
  });

  it('is unknown when the broker did not say', () => {
    expect(topicLifetimeOf('t', new Map([['retention.ms', '1000']]))).toBeUndefined();
    expect(topicLifetimeOf('t', config(Number.NaN, HOUR))).toBeUndefined();
  });
});

describe('redeliveryHorizonMs', () => {
  const topic = topicLifetimeOf('x.events.v1', config(10 * HOUR, HOUR));
  const dlq = topicLifetimeOf('x.events.v1.dlq', config(20 * HOUR, 2 * HOUR));

  it('covers the message on its topic, a dead letter of it redriven late, and the redriven copy', () => {
    // 2 × (10 h + 1 h) on the topic, 20 h + 2 h on the DLQ
    expect(redeliveryHorizonMs('x.events.v1', lifetimes(topic, dlq))).toBe(44 * HOUR);
  });

  it('is unknown without the DLQ twin (nothing is pruned) and forever if either keeps messages forever', () => {
    expect(redeliveryHorizonMs('x.events.v1', lifetimes(topic))).toBeUndefined();
    expect(redeliveryHorizonMs('x.events.v1', lifetimes(dlq))).toBeUndefined();
    const forever = topicLifetimeOf('x.events.v1.dlq', config(-1, HOUR));
    expect(redeliveryHorizonMs('x.events.v1', lifetimes(topic, forever))).toBeNull();
  });
});
