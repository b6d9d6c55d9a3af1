import { describe, expect, it } from '@jest/globals';
import { chunksOf, firstOccurrences, runsOf } from './chunk-plan.js';

describe('chunksOf', () => {
  it('splits in order into chunks of at most the size, the last one shorter', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(chunksOf([1, 2], 500)).toEqual([[1, 2]]);
    expect(chunksOf([], 3)).toEqual([]);
  });

  it('refuses a size that would never end or lose items', () => {
    expect(() => chunksOf([1], 0)).toThrow(RangeError);
    expect(() => chunksOf([1], 1.5)).toThrow(RangeError);
  });
});

describe('firstOccurrences', () => {
  it('keeps the first delivery of an id and drops the later ones, keeping order', () => {
    const deliveries = [
      { id: 'a', offset: 1 },
      { id: 'b', offset: 2 },
      { id: 'a', offset: 3 },
      { id: 'c', offset: 4 },
      { id: 'b', offset: 5 },
    ];
    expect(firstOccurrences(deliveries, (item) => item.id).map((item) => item.offset)).toEqual([1, 2, 4]);
  });
});

describe('runsOf', () => {
  it('groups consecutive items of one key and starts a new run when the key changes', () => {
    const types = ['usage', 'usage', 'seal', 'usage', 'usage', 'usage'];
    expect(runsOf(types, (type) => type)).toEqual([
      ['usage', 'usage'],
      ['seal'],
      ['usage', 'usage', 'usage'],
    ]);
    expect(runsOf([], (type: string) => type)).toEqual([]);
  });
});
