import { describe, expect, it } from '@jest/globals';
import { positionsOfSnapshot, rangesUpTo } from './live-positions.js';

const range = (partition: number, start: number, end: number) => ({ topic: 't', partition, start, end });

describe('rangesUpTo', () => {
  it("cuts each range at the live group's committed offset, never past the range's own end", () => {
    const cut = rangesUpTo(
      [range(0, 0, 100), range(1, 0, 100), range(2, 10, 100)],
      new Map([
        ['t:0', 40],
        ['t:1', 250],
        ['t:2', 5],
      ]),
    );
    expect(cut).toEqual([range(0, 0, 40), range(1, 0, 100), range(2, 10, 10)]);
  });

  it('replays nothing of a partition the live group never committed on', () => {
    expect(rangesUpTo([range(0, 3, 100)], new Map())).toEqual([range(0, 3, 3)]);
  });
});

describe('positionsOfSnapshot', () => {
  it('continues from where the replay stands to the later of the committed and the last applied position', () => {
    const reached = [range(0, 0, 40), range(1, 0, 40), range(2, 0, 40)];
    const committed = new Map([
      ['t:0', 60],
      ['t:1', 45],
      ['t:2', 40],
    ]);
    // In the snapshot, partition 1 applied up to offset 49 (committed offsets lag the transactions).
    const applied = new Map([
      ['t:0', 55],
      ['t:1', 50],
    ]);
    expect(positionsOfSnapshot(reached, committed, applied)).toEqual([
      range(0, 40, 60),
      range(1, 40, 50),
      range(2, 40, 40),
    ]);
  });

  it('never goes back before where the replay already stands', () => {
    expect(positionsOfSnapshot([range(0, 0, 40)], new Map([['t:0', 30]]), new Map())).toEqual([
      range(0, 40, 40),
    ]);
  });
});
