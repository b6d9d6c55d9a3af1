import { expect, it } from '@jest/globals';
import { RateWindow } from './rate-window.js';

it('refuses the next request after spend(), even when it comes in a later window, then refills at the reset', () => {
  let now = 10_000;
  const window = new RateWindow(() => now, 3, 2_000);
  window.spend();
  now += 2_500; // the window current at spend() has rolled over before the request comes
  expect(window.take()).toBe(false);
  expect(window.headers()).toEqual({ limit: '3', remaining: '0', reset: String((10_000 + 4_000) / 1_000) });
  expect(window.take()).toBe(false);
  now = 14_000;
  expect([window.take(), window.take(), window.take(), window.take()]).toEqual([true, true, true, false]);
});
