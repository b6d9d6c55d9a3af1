import { describe, expect, it } from '@jest/globals';
import { LostJobSweeper } from './lost-job-sweeper.js';

/** The queue's contract in memory: which row ids have a job. */
function queueWith(jobs: string[]) {
  const held = new Set(jobs);
  return {
    serving: true,
    held,
    hasJob: (id: string) => Promise.resolve(held.has(id)),
    enqueue: (id: string) => {
      held.add(id);
      return Promise.resolve();
    },
  };
}

describe('LostJobSweeper', () => {
  it('queues exactly the due rows whose jobs are gone, and nothing on a second pass', async () => {
    const queue = queueWith(['a']);
    const sweeper = new LostJobSweeper('test', queue, () => Promise.resolve(['a', 'b', 'c']));
    expect(await sweeper.sweep()).toBe(2);
    expect([...queue.held].sort()).toEqual(['a', 'b', 'c']);
    expect(await sweeper.sweep()).toBe(0);
  });

  it('runs one pass at a time and survives a failing one', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const queue = queueWith([]);
    let calls = 0;
    const sweeper = new LostJobSweeper('test', queue, async () => {
      calls++;
      if (calls === 2) throw new Error('database down');
      await slow;
      return ['x'];
    });
    const first = sweeper.sweep();
    expect(await sweeper.sweep()).toBe(0); // the first pass is still running
    release();
    expect(await first).toBe(1);
    expect(await sweeper.sweep()).toBe(0); // failed: logged, answered as idle
    expect(calls).toBe(2);
  });
});
