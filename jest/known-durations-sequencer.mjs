// Jest runs the slowest test files first, so that no worker is left with a long file at the end, but it knows a
// file's time only from its own cache, which a fresh clone (CI) does not have: it then orders by file size, and
// a long integration file that happens to be short in bytes starts last and runs alone. This sequencer falls back
// on the times measured in CI (known-durations.json, `node jest/record-durations.mjs <log>` refreshes them);
// a file in neither still runs first, as Jest does with files it knows nothing of.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';

const knownSeconds = JSON.parse(readFileSync(new URL('./known-durations.json', import.meta.url), 'utf8'));

export default class KnownDurationsSequencer extends Sequencer {
  time(test) {
    const cached = super.time(test);
    if (cached !== undefined) return cached;
    const seconds = knownSeconds[path.relative(test.context.config.rootDir, test.path)];
    return seconds === undefined ? undefined : seconds * 1000;
  }
}
