#!/usr/bin/env node
// The `commons` command; the compiled program lives in dist/ (built by ./dev).

// kafkajs arms timers with negative delays on Node >= 24, which then warns on every call; the warning
// is harmless (Node clamps the delay to 1 ms) and would bury the command's own output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'TimeoutNegativeWarning' || warning?.name === 'TimeoutNegativeWarning') return;
  emitWarning(warning, ...rest);
};

await import('../dist/src/main.js');
