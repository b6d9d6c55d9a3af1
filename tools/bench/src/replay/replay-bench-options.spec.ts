import { describe, expect, it } from '@jest/globals';
import { replayBenchOptions } from './replay-bench-options.js';

describe('replayBenchOptions', () => {
  it('has defaults and takes each option as `--flag N` or `--flag=N`', () => {
    expect(replayBenchOptions([])).toEqual({ events: 200_000, concurrency: 2, chunkSize: 2_000 });
    expect(replayBenchOptions(['--events', '1000', '--concurrency=2', '--chunk-size', '500'])).toEqual({
      events: 1_000,
      concurrency: 2,
      chunkSize: 500,
    });
  });

  it('names the bad option', () => {
    expect(() => replayBenchOptions(['--events', 'many'])).toThrow('invalid input: --events:');
    expect(() => replayBenchOptions(['--concurrency', '0'])).toThrow('invalid input: --concurrency:');
    expect(() => replayBenchOptions(['--chunk-size'])).toThrow('invalid input: --chunk-size:');
    expect(() => replayBenchOptions(['--fast'])).toThrow('invalid input: --fast: unknown option');
  });
});
