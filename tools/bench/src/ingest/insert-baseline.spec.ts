import { describe, expect, it } from '@jest/globals';
import { baselineKeyOf, baselineParameters, multiRowInsert } from './insert-baseline.js';
import { INGEST_LOAD_SHAPE, UsageBatchGenerator } from './usage-batches.js';

describe('insert baseline', () => {
  it('insert a batch as one multi-row statement with eight parameters a row', () => {
    expect(multiRowInsert('t', 2)).toBe(
      'INSERT INTO t (source, event_id, subscriber_id, service_id, meter, quantity, period, event_time) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $10, $11, $12, $13, $14, $15, $16)',
    );
  });

  it('insert keyed rows with their digest first, skipping the keys already stored', () => {
    expect(multiRowInsert('t', 1, 'keyed')).toBe(
      'INSERT INTO t (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period, event_time) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_digest) DO NOTHING',
    );
  });

  it('give keyed rows in key order, each after its 16-byte digest', () => {
    const generator = new UsageBatchGenerator(
      INGEST_LOAD_SHAPE,
      '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091',
      'run',
      1,
    );
    const batch = generator.next();
    const values = baselineParameters(batch, 'keyed');
    expect(values).toHaveLength(batch.events.length * 9);
    const keys = values.filter((value): value is Buffer => Buffer.isBuffer(value));
    expect(keys).toHaveLength(batch.events.length);
    expect(keys.every((key) => key.length === 16)).toBe(true);
    expect([...keys].sort(Buffer.compare)).toEqual(keys);
    expect(new Set(keys.map((key) => key.toString('hex')))).toEqual(
      new Set(batch.events.map((event) => baselineKeyOf(event).toString('hex'))),
    );
  });

  it('flatten the same rows metering stores, in column order', () => {
    const generator = new UsageBatchGenerator(
      INGEST_LOAD_SHAPE,
      '0193a5b2-7c1d-7e2f-8a3b-4c5d6e7f8091',
      'run',
      1,
      () => new Date('2026-11-25T10:00:00.000Z'),
    );
    const batch = generator.next();
    const values = baselineParameters(batch);
    const [first] = batch.events;
    expect(values).toHaveLength(batch.events.length * 8);
    expect(values.slice(0, 8)).toEqual([
      first?.source,
      first?.id,
      first?.subject,
      first?.data.service,
      first?.data.meter,
      first?.data.quantity,
      '2026-11',
      '2026-11-25T10:00:00.000Z',
    ]);
  });
});
