import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@onecommons/config';
import { z } from 'zod';
import { kafkaConfigShape, kafkaSettingsFrom } from './kafka-config.js';

const settings = (env: Record<string, string> = {}) =>
  kafkaSettingsFrom(loadConfig(z.object(kafkaConfigShape), { KAFKA_BROKERS: '127.0.0.1:9092', ...env }));

describe('the consumer mode settings', () => {
  it('default to batched chunks of 500', () => {
    expect(settings({})).toMatchObject({ consumerMode: 'batched', consumerChunkSize: 500 });
  });

  it('keep the per-message path on request', () => {
    expect(settings({ CONSUMER_MODE: 'per-message', CONSUMER_CHUNK_SIZE: '50' })).toMatchObject({
      consumerMode: 'per-message',
      consumerChunkSize: 50,
    });
  });

  it('stop the boot naming a bad mode or chunk size', () => {
    expect(() => settings({ CONSUMER_MODE: 'batch' })).toThrow('CONSUMER_MODE');
    expect(() => settings({ CONSUMER_CHUNK_SIZE: '0' })).toThrow('CONSUMER_CHUNK_SIZE');
    expect(() => settings({ CONSUMER_CHUNK_SIZE: '10001' })).toThrow('CONSUMER_CHUNK_SIZE');
  });
});

describe('the lag and processed-events settings', () => {
  it('default to a 15 s lag measurement and a 24 h margin, 5000-row slices, 500,000 rows a run', () => {
    expect(settings()).toMatchObject({
      consumerLagIntervalMs: 15_000,
      processedEventsPruneMarginHours: 24,
      processedEventsPruneBatchSize: 5_000,
      processedEventsPruneMaxRowsPerRun: 500_000,
    });
  });

  it('take what the environment says', () => {
    expect(
      settings({
        CONSUMER_LAG_INTERVAL_MS: '5000',
        PROCESSED_EVENTS_PRUNE_MARGIN_HOURS: '72',
        PROCESSED_EVENTS_PRUNE_BATCH_SIZE: '1000',
        PROCESSED_EVENTS_PRUNE_MAX_ROWS_PER_RUN: '20000',
      }),
    ).toMatchObject({
      consumerLagIntervalMs: 5_000,
      processedEventsPruneMarginHours: 72,
      processedEventsPruneBatchSize: 1_000,
      processedEventsPruneMaxRowsPerRun: 20_000,
    });
  });

  it.each([
    ['PROCESSED_EVENTS_PRUNE_MARGIN_HOURS', '0'],
    ['PROCESSED_EVENTS_PRUNE_MARGIN_HOURS', '-24'],
    ['PROCESSED_EVENTS_PRUNE_MARGIN_HOURS', '1.5'],
    ['PROCESSED_EVENTS_PRUNE_MARGIN_HOURS', 'a day'],
    ['PROCESSED_EVENTS_PRUNE_BATCH_SIZE', '0'],
    ['PROCESSED_EVENTS_PRUNE_MAX_ROWS_PER_RUN', '0'],
    ['CONSUMER_LAG_INTERVAL_MS', '10'],
  ])('refuse %s=%s, naming it', (name, value) => {
    expect(() => settings({ [name]: value })).toThrow(name);
  });
});
