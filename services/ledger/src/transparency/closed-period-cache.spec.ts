import { ClosedPeriodCache } from './closed-period-cache.js';

describe('ClosedPeriodCache', () => {
  it('computes a period once per version, shared by concurrent readers', async () => {
    const cache = new ClosedPeriodCache<string>(4);
    let computed = 0;
    const compute = async () => `result ${++computed}`;
    const [first, second] = await Promise.all([
      cache.read('2026-01', 0, compute),
      cache.read('2026-01', 0, compute),
    ]);
    expect([first, second, computed]).toEqual(['result 1', 'result 1', 1]);
    expect(await cache.read('2026-01', 0, compute)).toBe('result 1');
  });

  it('computes again when an adjustment changed the period’s version', async () => {
    const cache = new ClosedPeriodCache<string>(4);
    expect(await cache.read('2026-01', 0, async () => 'closed')).toBe('closed');
    expect(await cache.read('2026-01', 1, async () => 'adjusted once')).toBe('adjusted once');
    expect(cache.size).toBe(1);
  });

  it('forgets a failed computation, so the next reader tries again', async () => {
    const cache = new ClosedPeriodCache<string>(4);
    await expect(
      cache.read('2026-01', 0, async () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow('database down');
    expect(await cache.read('2026-01', 0, async () => 'recovered')).toBe('recovered');
  });

  it('drops the least recently read period beyond its capacity', async () => {
    const cache = new ClosedPeriodCache<string>(2);
    await cache.read('2026-01', 0, async () => 'january');
    await cache.read('2026-02', 0, async () => 'february');
    await cache.read('2026-01', 0, async () => 'not computed again');
    await cache.read('2026-03', 0, async () => 'march');
    expect(cache.size).toBe(2);
    expect(await cache.read('2026-01', 0, async () => 'computed again')).toBe('january');
    expect(await cache.read('2026-02', 0, async () => 'february again')).toBe('february again');
  });

  it('refuses a capacity below one', () => {
    expect(() => new ClosedPeriodCache(0)).toThrow('at least one period');
  });
});
