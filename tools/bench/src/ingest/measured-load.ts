import { performance } from 'node:perf_hooks';
import { runIngestLoad, type LoadTally } from './ingest-load.js';
import { type IngestBench } from './platform-setup.js';
import { benchStackProcesses, cpuPercentBetween, cpuSnapshot } from './process-cpu.js';
import { type UsageBatch } from './usage-batches.js';

/** The measured load and the CPU the stack's processes used from its first request until a moment the bench picks. */
export interface MeasuredLoad {
  readonly tally: LoadTally;
  /** Each process group's share of one core from the first request until `at` (a `performance.now()` time). */
  cpuUntil(at?: number): Map<string, number>;
}

/** The load a bench measures, after its warm-up: its rate logged every `progressEverySeconds`. */
export async function runMeasuredLoad(
  bench: IngestBench,
  options: {
    readonly connections: number;
    readonly seconds: number;
    readonly nextBatch: () => UsageBatch;
    readonly progressEverySeconds: number;
    readonly log: (message: string) => void;
  },
): Promise<MeasuredLoad> {
  const stackProcesses = benchStackProcesses(bench.stack);
  const cpuBefore = cpuSnapshot(stackProcesses);
  const tally = await runIngestLoad({
    url: bench.url,
    apiKey: bench.apiKey,
    connections: options.connections,
    seconds: options.seconds,
    nextBatch: options.nextBatch,
    onProgress: (accepted, elapsed) => {
      if (Math.round(elapsed) % options.progressEverySeconds === 0)
        options.log(
          `${Math.round(elapsed)} s: ${Math.round(accepted / elapsed).toLocaleString('en-US')} accepted/s`,
        );
    },
  });
  return {
    tally,
    cpuUntil: (at = performance.now()) =>
      cpuPercentBetween(cpuBefore, cpuSnapshot(stackProcesses), (at - tally.startedAt) / 1_000),
  };
}
