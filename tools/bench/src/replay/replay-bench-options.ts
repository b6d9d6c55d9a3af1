export interface ReplayBenchOptions {
  readonly events: number;
  readonly concurrency: number;
  readonly chunkSize: number;
}

const LIMITS = {
  '--events': { key: 'events', min: 1, max: 10_000_000 },
  '--concurrency': { key: 'concurrency', min: 1, max: 64 },
  '--chunk-size': { key: 'chunkSize', min: 1, max: 10_000 },
} as const;

/** `[--events N] [--concurrency N] [--chunk-size N]`; throws `invalid input: <flag>: …` on a bad one. */
export function replayBenchOptions(argv: readonly string[]): ReplayBenchOptions {
  const options: { -readonly [Key in keyof ReplayBenchOptions]: number } = {
    events: 200_000,
    concurrency: 2,
    chunkSize: 2_000,
  };
  for (let index = 0; index < argv.length; index++) {
    const [flag = '', inline] = (argv[index] as string).split(/=(.*)/s, 2);
    const limit = LIMITS[flag as keyof typeof LIMITS];
    if (!limit) throw new Error(`invalid input: ${flag}: unknown option`);
    const given = inline ?? argv[++index];
    const value = Number(given);
    if (!Number.isInteger(value) || value < limit.min || value > limit.max)
      throw new Error(
        `invalid input: ${flag}: expected an integer from ${limit.min} to ${limit.max}, got "${given}"`,
      );
    options[limit.key] = value;
  }
  return options;
}
