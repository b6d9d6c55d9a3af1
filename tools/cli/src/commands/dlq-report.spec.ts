import { type DeadLetterEntry } from '@onecommons/kafka';
import { deadLettersJson, deadLettersText, redriveText } from './dlq-report.js';

const letter: DeadLetterEntry = {
  partition: 1,
  offset: '12',
  key: 'acct-1',
  eventId: 'evt-1',
  eventType: 'onecommons.identity.subscriber.registered.v2',
  originalTopic: 'identity.events.v1',
  originalPartition: 2,
  originalOffset: '40',
  consumerGroup: 'metering',
  reason: 'handler_failed',
  error: `line one\n  line two ${'x'.repeat(80)}`,
  attempts: 5,
  failedAt: '2025-01-02T03:04:05.000Z',
};

const poison: DeadLetterEntry = {
  ...letter,
  offset: '13',
  key: null,
  eventId: null,
  eventType: null,
  originalPartition: null,
  originalOffset: null,
  reason: 'invalid_json',
  error: 'Unexpected token',
  attempts: 0,
};

describe('deadLettersJson', () => {
  it('prints one object with every topic as a key, empty ones included', () => {
    const json = deadLettersJson([
      { topic: 'identity.events.v1.dlq', entries: [letter] },
      { topic: 'catalog.events.v1.dlq', entries: [] },
    ]);
    expect(JSON.parse(json)).toEqual({ 'identity.events.v1.dlq': [letter], 'catalog.events.v1.dlq': [] });
  });
});

describe('deadLettersText', () => {
  const text = deadLettersText([
    { topic: 'identity.events.v1.dlq', entries: [letter, poison] },
    { topic: 'catalog.events.v1.dlq', entries: [] },
  ]);
  const lines = text.trimEnd().split('\n');

  it('gives each topic its count and a table with a header row, then the total', () => {
    expect(lines[0]).toBe('identity.events.v1.dlq: 2 dead letters');
    expect(lines[1]).toMatch(
      /^ {2}POSITION +EVENT ID +TYPE +KEY +ORIGINAL +GROUP +REASON +ATTEMPTS +FAILED AT +ERROR$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}1:12 +evt-1 +onecommons\.identity\.subscriber\.registered\.v2 +acct-1 +2:40 +metering/,
    );
    expect(lines[3]).toMatch(/^ {2}1:13 +- +- +- +- +metering +invalid_json +0 /);
    expect(lines[4]).toBe('catalog.events.v1.dlq: 0 dead letters');
    expect(lines[5]).toBe('2 dead letters in 2 topics');
    expect(lines).toHaveLength(6);
  });

  it('aligns the columns and keeps long multi-line errors to one short line', () => {
    const errorColumn = lines[1]?.indexOf('ERROR');
    expect(lines[2]?.indexOf('line one line two')).toBe(errorColumn);
    expect(lines[2]?.endsWith('…')).toBe(true);
    expect(lines[2]?.slice(errorColumn)).toHaveLength(60);
  });

  it('says so when there is nothing', () => {
    expect(deadLettersText([{ topic: 'ledger.events.v1.dlq', entries: [] }])).toBe(
      'ledger.events.v1.dlq: 0 dead letters\n0 dead letters in 1 topic\n',
    );
  });
});

describe('redriveText', () => {
  const base = {
    ok: true as const,
    dlqTopic: 'identity.events.v1.dlq',
    originalTopic: 'identity.events.v1',
  };

  it('names the count, the topics and every letter', () => {
    expect(redriveText({ ...base, redriven: [letter, poison], republished: 2, alreadyRedriven: [] })).toBe(
      'redrove 2 dead letters from identity.events.v1.dlq to identity.events.v1 (2 messages republished):\n' +
        '  1:12  evt-1\n' +
        '  1:13  (no event id)\n',
    );
  });

  it('says when there was nothing to do, and which ids were already redriven', () => {
    expect(redriveText({ ...base, redriven: [], republished: 0, alreadyRedriven: ['evt-1'] })).toBe(
      'nothing to redrive on identity.events.v1.dlq\nalready redriven: evt-1\n',
    );
  });
});
