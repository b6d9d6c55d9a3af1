import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sleep } from '@onecommons/kafka';
import { type UsageBatch } from './usage-batches.js';

const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

/** What the load did: per-batch latencies and the totals metering answered. */
export interface LoadTally {
  readonly batches: number;
  readonly sent: number;
  readonly resends: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** Requests the gateway refused for its per-client rate (429) and the bench sent again. */
  readonly rateLimited: number;
  readonly latenciesMs: readonly number[];
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly connections: number;
  readonly seconds: number;
  readonly nextBatch: () => UsageBatch;
  /** Called once a second with the events accepted so far. */
  readonly onProgress?: (accepted: number, elapsedSeconds: number) => void;
}

interface BatchAnswer {
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
}

class LoadError extends Error {
  constructor(status: number, body: string) {
    super(`metering answered ${status}: ${body.slice(0, 500)}`);
    this.name = 'LoadError';
  }
}

function post(
  agent: Agent,
  url: URL,
  apiKey: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': BATCH_CONTENT_TYPE,
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${apiKey}`,
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Sends batches over `connections` keep-alive connections, each waiting for its answer before the next
 * (closed loop), until `seconds` have passed. A 429 from the gateway is sent again after a short pause and
 * its latency counts from the first try; any other failure stops the run.
 */
export async function runIngestLoad(options: LoadOptions): Promise<LoadTally> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  const latenciesMs: number[] = [];
  const totals = { batches: 0, sent: 0, resends: 0, accepted: 0, duplicate: 0, rejected: 0, rateLimited: 0 };
  const startedAt = performance.now();
  const endsAt = startedAt + options.seconds * 1_000;
  const progress = setInterval(
    () => options.onProgress?.(totals.accepted, (performance.now() - startedAt) / 1_000),
    1_000,
  );
  const connection = async () => {
    while (performance.now() < endsAt) {
      const batch = options.nextBatch();
      const body = JSON.stringify(batch.events);
      const sentAt = performance.now();
      for (;;) {
        const answer = await post(agent, url, options.apiKey, body);
        if (answer.status === 429) {
          totals.rateLimited += 1;
          await sleep(50);
          continue;
        }
        if (answer.status !== 200) throw new LoadError(answer.status, answer.text);
        const counts = JSON.parse(answer.text) as BatchAnswer;
        totals.accepted += counts.accepted;
        totals.duplicate += counts.duplicate;
        totals.rejected += counts.rejected;
        break;
      }
      latenciesMs.push(performance.now() - sentAt);
      totals.batches += 1;
      totals.sent += batch.events.length;
      totals.resends += batch.resends;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, connection));
  } finally {
    clearInterval(progress);
    agent.destroy();
  }
  return { ...totals, latenciesMs, startedAt, finishedAt: performance.now() };
}
