import {
  type DeadLetterEntry,
  type DeadLetterRecord,
  type DeadLetterTopicContents,
} from './dead-letter-entry.js';
import { planRedrive, selectForRedrive } from './redrive-selection.js';

function record(
  partition: number,
  offset: string,
  eventId: string | null,
  origin: { partition: number | null; offset: string | null } = { partition: 0, offset: offset },
  consumerGroup = 'metering',
): DeadLetterRecord {
  const entry: DeadLetterEntry = {
    partition,
    offset,
    key: 'k',
    eventId,
    eventType: eventId === null ? null : 't',
    originalTopic: 'identity.events.v1',
    originalPartition: origin.partition,
    originalOffset: origin.offset,
    consumerGroup,
    reason: 'handler_failed',
    error: 'boom',
    attempts: 5,
    failedAt: '2025-01-01T00:00:00.000Z',
  };
  return {
    entry,
    message: { key: null, value: null, timestamp: '0', attributes: 0, offset, headers: {} },
  };
}

const a = record(0, '1', 'evt-a');
const b = record(0, '2', null);
const c = record(1, '7', 'evt-c');
const done = record(2, '3', 'evt-done');
const contents: DeadLetterTopicContents = {
  topic: 'identity.events.v1.dlq',
  pending: [a, b, c],
  redriven: [done],
};

describe('selectForRedrive', () => {
  it('takes every pending letter when no id is given', () => {
    expect(selectForRedrive(contents)).toEqual({ ok: true, selected: [a, b, c], alreadyRedriven: [] });
  });

  it('takes letters by CloudEvent id or by <partition>:<offset>, in topic order, each once', () => {
    expect(selectForRedrive(contents, ['1:07', 'evt-a', '0:2', 'evt-a'])).toEqual({
      ok: true,
      selected: [a, b, c],
      alreadyRedriven: [],
    });
    expect(selectForRedrive(contents, ['evt-c'])).toEqual({ ok: true, selected: [c], alreadyRedriven: [] });
  });

  it('reports ids of letters already redriven without selecting them again', () => {
    expect(selectForRedrive(contents, ['evt-done', '2:3', 'evt-a'])).toEqual({
      ok: true,
      selected: [a],
      alreadyRedriven: ['evt-done', '2:3'],
    });
  });

  it('fails the whole selection, naming every unknown id, when one names nothing', () => {
    expect(selectForRedrive(contents, ['evt-a', 'evt-nope', '9:9'])).toEqual({
      ok: false,
      unknownIds: ['evt-nope', '9:9'],
    });
  });

  it('selects nothing from an empty topic', () => {
    const empty = { topic: contents.topic, pending: [], redriven: [] };
    expect(selectForRedrive(empty)).toEqual({ ok: true, selected: [], alreadyRedriven: [] });
  });
});

describe('planRedrive', () => {
  it('republishes one copy of a message several consumer groups dead-lettered, settling all letters', () => {
    const first = record(0, '1', 'evt-x', { partition: 2, offset: '40' }, 'metering');
    const second = record(1, '5', 'evt-x', { partition: 2, offset: '40' }, 'ledger');
    const other = record(1, '6', 'evt-y', { partition: 2, offset: '41' });
    expect(planRedrive([first, second, other])).toEqual([
      { republish: first, settles: [first, second] },
      { republish: other, settles: [other] },
    ]);
  });

  it('keeps letters apart when their origin is unknown', () => {
    const first = record(0, '1', 'evt-x', { partition: null, offset: '40' });
    const second = record(0, '2', 'evt-x', { partition: null, offset: '40' });
    expect(planRedrive([first, second])).toEqual([
      { republish: first, settles: [first] },
      { republish: second, settles: [second] },
    ]);
  });
});
