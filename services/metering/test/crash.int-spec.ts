import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@onecommons/testing';
import {
  defineMeters,
  type MeteringStack,
  newService,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

// Metering as its own process, killed with SIGKILL while batches are in flight, then started again.

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;

beforeAll(async () => {
  stack = await startMeteringStack({}, { asProcess: true });
  await defineMeters(stack, { requests: 1 });
  ({ serviceId, apiKey } = await newService(stack));
});

afterAll(async () => {
  await stack.stop();
});

interface Batch {
  readonly events: readonly Record<string, unknown>[];
  readonly total: bigint;
}

function batchOf(subscribers: readonly string[], size: number): Batch {
  const events = Array.from({ length: size }, (_, index) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: `/services/${serviceId}`,
    type: 'onecommons.usage.v1',
    subject: subscribers[index % subscribers.length],
    time: new Date().toISOString(),
    data: { service: serviceId, meter: 'requests', quantity: 1 + (index % 7) },
  }));
  return { events, total: events.reduce((sum, event) => sum + BigInt(event.data.quantity), 0n) };
}

/**
 * Sends a batch until the service acknowledges it, like a client that retries with the same event ids.
 * Returns how many of its events the acknowledging answer called accepted and duplicate.
 */
async function deliver(batch: Batch): Promise<{ accepted: number; duplicate: number; attempts: number }> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      const response = await fetch(`${stack.metering.url}/api/metering/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(batch.events),
      });
      if (response.status === 200) {
        const body = (await response.json()) as { accepted: number; duplicate: number };
        return { ...body, attempts };
      }
    } catch {
      // The process died under the request: nothing was acknowledged, so send it again.
    }
    await sleep(100);
  }
}

describe('metering killed mid-batch', () => {
  it('counts every acknowledged event exactly once after it restarts', async () => {
    const subscribers = await newSubscriberIds(stack, 20);
    const batches = Array.from({ length: 30 }, () => batchOf(subscribers, 200));
    let next = 0;
    const senders = Array.from({ length: 4 }, async () => {
      const results = [];
      while (next < batches.length) results.push(await deliver(batches[next++] as Batch));
      return results;
    });
    // Let batches flow, kill the process under them, and bring it back.
    await eventually('some batches counted', async () => {
      const [row] = await stack.metering.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_events');
      return (row?.n ?? 0) >= 1_000 ? true : undefined;
    });
    const process = stack.meteringProcess;
    if (!process) throw new Error('metering must run as a process here');
    await process.kill('SIGKILL');
    await sleep(300);
    await process.start();
    const results = (await Promise.all(senders)).flat();

    const events = batches.reduce((sum, batch) => sum + batch.events.length, 0);
    const quantity = batches.reduce((sum, batch) => sum + batch.total, 0n);
    // Some requests died with the process: their retries found part or all of them already counted.
    expect(results.some((result) => result.attempts > 1)).toBe(true);
    expect(results.reduce((sum, result) => sum + result.accepted + result.duplicate, 0)).toBe(events);
    const [counted] = await stack.metering.query<{ events: number; quantity: string }>(
      'SELECT count(*)::int AS events, sum(quantity)::text AS quantity FROM usage_events',
    );
    expect(counted).toEqual({ events, quantity: quantity.toString() });
    const [aggregated] = await stack.metering.query<{ events: string; quantity: string }>(
      'SELECT sum(events)::text AS events, sum(quantity)::text AS quantity FROM usage_aggregates',
    );
    expect(aggregated).toEqual({ events: String(events), quantity: quantity.toString() });
    // What was announced adds up to the same: nothing published twice, nothing lost.
    const announced = await stack.metering.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE event_type = 'onecommons.metering.usage.recorded.v2'`,
    );
    const published = announced
      .flatMap((row) => (JSON.parse(row.payload) as UsageRecordedPayload).data.subscribers)
      .flatMap((subscriber) => subscriber.usage)
      .reduce((sum, usage) => sum + BigInt(usage.quantity), 0n);
    expect(published).toBe(quantity);
  });
});

interface UsageRecordedPayload {
  readonly data: { readonly subscribers: { readonly usage: { readonly quantity: string }[] }[] };
}
