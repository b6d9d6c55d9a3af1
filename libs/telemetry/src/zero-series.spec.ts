import { describe, expect, it } from '@jest/globals';
import { Counter, Histogram, register, Registry } from 'prom-client';
import { everyCombination, processCounter, startAtZero } from './zero-series.js';

describe('startAtZero', () => {
  it('exposes every combination of a counter at 0 before the first increment', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'test_attempts_total',
      help: 'attempts',
      labelNames: ['rail', 'outcome'] as const,
      registers: [registry],
    });
    startAtZero(counter, everyCombination({ rail: ['stripe', 'bank'], outcome: ['paid', 'error'] }));
    const text = await registry.metrics();
    for (const rail of ['stripe', 'bank'])
      for (const outcome of ['paid', 'error'])
        expect(text).toContain(`test_attempts_total{rail="${rail}",outcome="${outcome}"} 0`);
  });

  it('exposes a histogram series with no observation (count 0), not one observation of 0', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'test_duration_seconds',
      help: 'durations',
      labelNames: ['topic'] as const,
      buckets: [1],
      registers: [registry],
    });
    startAtZero(histogram, [{ topic: 'a' }]);
    const text = await registry.metrics();
    expect(text).toContain('test_duration_seconds_count{topic="a"} 0');
    expect(text).toContain('test_duration_seconds_bucket{le="+Inf",topic="a"} 0');
  });

  it('keeps what was counted before it ran', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'test_events_total',
      help: 'events',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    counter.inc({ outcome: 'applied' }, 2);
    startAtZero(counter, [{ outcome: 'applied' }, { outcome: 'duplicate' }]);
    const text = await registry.metrics();
    expect(text).toContain('test_events_total{outcome="applied"} 2');
    expect(text).toContain('test_events_total{outcome="duplicate"} 0');
  });
});

describe('everyCombination', () => {
  it('crosses the value sets of every label', () => {
    expect(everyCombination({ a: ['1', '2'], b: ['x'] })).toEqual([
      { a: '1', b: 'x' },
      { a: '2', b: 'x' },
    ]);
    expect(everyCombination({ a: ['1'], b: [] })).toEqual([]);
  });
});

describe('processCounter', () => {
  it('is made once per process with its series at 0; a later app gets the same counter, counts kept', async () => {
    const options = { name: 'test_logins_total', help: 'logins', labelNames: ['outcome'] as const };
    const first = processCounter(options, [{ outcome: 'succeeded' }, { outcome: 'failed' }]);
    first.inc({ outcome: 'failed' });
    expect(processCounter(options, [{ outcome: 'succeeded' }])).toBe(first);
    const text = await register.metrics();
    expect(text).toContain('test_logins_total{outcome="succeeded"} 0');
    expect(text).toContain('test_logins_total{outcome="failed"} 1');
  });
});
