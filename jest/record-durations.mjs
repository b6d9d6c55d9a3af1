// Reads a `./dev test` log (a CI run's) and writes each test file's time to known-durations.json, which the
// sequencer orders fresh clones' runs by. Jest prints a file's time only past a few seconds: the others count 1 s.
import { readFileSync, writeFileSync } from 'node:fs';

const [logPath] = process.argv.slice(2);
if (!logPath) {
  console.error('usage: node jest/record-durations.mjs <log of ./dev test>');
  process.exit(2);
}
const seconds = {};
for (const line of readFileSync(logPath, 'utf8').split('\n')) {
  const match = /^(?:PASS|FAIL) \S+ (\S+\.(?:int-|e2e-|chaos-)?spec\.ts)(?: \((\d+(?:\.\d+)?) s\))?/.exec(
    line,
  );
  if (match) seconds[match[1]] = match[2] ? Math.round(Number(match[2]) * 10) / 10 : 1;
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(new URL('./known-durations.json', import.meta.url), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`${Object.keys(sorted).length} files`);
