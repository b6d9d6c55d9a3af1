import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CloudEvent, dlqTopicOf, TOPICS } from '@onecommons/contracts';
import { trace } from '@opentelemetry/api';
import { startProcessTelemetry } from '@onecommons/telemetry';
import { eventually, RawProducer, TopicProbe } from '@onecommons/testing';
import { type Consumer } from 'kafkajs';
import {
  type BatchedEventProcessor,
  chunksOf,
  ConsumerStoppingError,
  type ConsumerMode,
  EventConsumerServer,
  type IncomingChunk,
  type IdempotentEventProcessor,
  type IncomingMessage,
  type OutboxRelay,
  type ProcessOutcome,
} from '../src/index.js';
import { BackboneFixture, testSettings } from './backbone-harness.js';

// The idempotent consumer against the real broker and database: redelivery and poison messages.

const TOPIC = TOPICS.identityEvents.name;
let fixture: BackboneFixture;
let relay: OutboxRelay;
let deadLetters: TopicProbe;

beforeAll(async () => {
  startProcessTelemetry({ serviceName: 'backbone-tests' }); // a tracer provider, as every service has
  fixture = await BackboneFixture.create();
  relay = fixture.relay(await fixture.connectedProducer());
  relay.start();
  deadLetters = await TopicProbe.start([dlqTopicOf(TOPIC)]);
});

afterAll(async () => {
  await relay.stop();
  await deadLetters.stop();
  await fixture.dispose();
});

/** Records the outcome the processor reached for each event id. */
class OutcomeLog {
  readonly byEventId = new Map<string, ProcessOutcome[]>();

  wrap(processor: IdempotentEventProcessor): IdempotentEventProcessor {
    const original = processor.process.bind(processor);
    processor.process = async (incoming: IncomingMessage) => {
      const outcome = await original(incoming);
      const id = eventIdOf(incoming);
      if (id) this.byEventId.set(id, [...(this.byEventId.get(id) ?? []), outcome]);
      return outcome;
    };
    return processor;
  }

  /** Sizes of the chunks the batched processor was given, in order. */
  readonly chunkSizes: number[] = [];

  wrapBatched(processor: BatchedEventProcessor): BatchedEventProcessor {
    const original = processor.processChunk.bind(processor);
    processor.processChunk = async (chunk: IncomingChunk) => {
      this.chunkSizes.push(chunk.messages.length);
      const outcomes = await original(chunk);
      chunk.messages.forEach((message, index) => {
        const id = eventIdOf({
          topic: chunk.topic,
          partition: chunk.partition,
          message,
          heartbeat: chunk.heartbeat,
        });
        const outcome = outcomes[index];
        if (id && outcome) this.byEventId.set(id, [...(this.byEventId.get(id) ?? []), outcome]);
      });
      return outcomes;
    };
    return processor;
  }

  sawAll(ids: readonly string[], outcome: ProcessOutcome): boolean {
    return ids.every((id) => this.byEventId.get(id)?.includes(outcome));
  }
}

function eventIdOf(incoming: IncomingMessage): string | undefined {
  try {
    return (JSON.parse(incoming.message.value?.toString() ?? '') as { id?: string }).id;
  } catch {
    return undefined;
  }
}

async function server(
  processor: IdempotentEventProcessor,
  stopController: AbortController,
  batched?: { processor: BatchedEventProcessor; chunkSize?: number },
) {
  const mode: ConsumerMode = batched ? 'batched' : 'per-message';
  const consumer = new EventConsumerServer({
    kafka: fixture.kafka,
    groupId: fixture.consumerGroup,
    settings: testSettings({ consumerMode: mode, consumerChunkSize: batched?.chunkSize ?? 500 }),
    topics: () => [TOPIC],
    processor,
    ...(batched ? { batchProcessor: batched.processor } : {}),
    stopController,
  });
  await new Promise<void>((resolve, reject) => {
    void consumer.listen((error) => (error ? reject(error as Error) : resolve()));
  });
  return consumer;
}

/** A consumer in either mode, recording outcomes per event id. */
async function consumerIn(
  mode: ConsumerMode,
  log: OutcomeLog,
  options: Parameters<BackboneFixture['processor']>[0] & { chunkSize?: number } = {},
) {
  const stop = new AbortController();
  const processorOptions = { ...options, stopSignal: stop.signal };
  if (mode === 'per-message') {
    return server(log.wrap(await fixture.processor(processorOptions)), stop);
  }
  const { batched, perMessage } = await fixture.batchedProcessor(processorOptions);
  return server(perMessage, stop, {
    processor: log.wrapBatched(batched),
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
  });
}

/** Writes the events and waits until the relay put them all on Kafka, so a consumer gets them as one backlog. */
async function publishBacklog(events: readonly ReturnType<typeof BackboneFixture.event>[]): Promise<void> {
  await fixture.commit(events);
  await eventually('the relay to publish the backlog', async () =>
    (await fixture.unsentCount()) === 0 ? true : undefined,
  );
}

function deadLettersOf(ids: readonly string[]) {
  return deadLetters.matching(
    (message) =>
      message.headers['oc-dlq-consumer-group'] === fixture.consumerGroup &&
      message.eventId !== undefined &&
      ids.includes(message.eventId),
  );
}

describe('the idempotent consumer', () => {
  it('does not apply an event twice when killed after its database commit and before its offset commit', async () => {
    const events = Array.from({ length: 10 }, () => BackboneFixture.event());
    const ids = events.map((event) => event.id);
    await fixture.commit(events);

    // First life: applies the events, but its offsets never reach Kafka (autoCommit off, then "killed").
    const firstLife = new OutcomeLog();
    const processor = firstLife.wrap(await fixture.processor());
    const doomed: Consumer = fixture.kafka.consumer({
      groupId: fixture.consumerGroup,
      sessionTimeout: 10_000,
    });
    await doomed.connect();
    await doomed.subscribe({ topics: [TOPIC], fromBeginning: true });
    await doomed.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await processor.process({ topic, partition, message, heartbeat });
      },
    });
    await eventually('the first life to apply all 10', async () =>
      firstLife.sawAll(ids, 'applied') ? true : undefined,
    );
    await doomed.disconnect();
    expect([...(await fixture.effectsOf(ids)).values()]).toEqual(ids.map(() => 1));

    // Second life, same group: Kafka redelivers everything; the processed-event records absorb it.
    const secondLife = new OutcomeLog();
    const stop = new AbortController();
    const restarted = await server(
      secondLife.wrap(await fixture.processor({ stopSignal: stop.signal })),
      stop,
    );
    try {
      await eventually('the redelivery of all 10', async () =>
        secondLife.sawAll(ids, 'duplicate') ? true : undefined,
      );
      expect(secondLife.sawAll(ids, 'applied')).toBe(false);
      const effects = await fixture.effectsOf(ids);
      expect(ids.map((id) => effects.get(id))).toEqual(ids.map(() => 1));
    } finally {
      await restarted.close();
    }
  });
});

describe.each(['per-message', 'batched'] as const)('the idempotent consumer, %s', (mode) => {
  it('dead-letters an event whose handler keeps failing, with the error, and the partition moves on', async () => {
    const subscriber = BackboneFixture.event().subject;
    const poison = BackboneFixture.event(subscriber);
    const next = BackboneFixture.event(subscriber); // same key: same partition, right behind the poison
    await fixture.commit([poison, next]);

    const log = new OutcomeLog();
    const consumer = await consumerIn(mode, log, { failForEventId: poison.id });
    try {
      await eventually('the event behind the poison to apply', async () =>
        log.sawAll([next.id], 'applied') ? true : undefined,
      );
      expect(log.byEventId.get(poison.id)).toEqual(['dead_lettered']);
      const [dead] = await eventually('the poison on the DLQ', async () => {
        const found = deadLetters.matching(
          (message) =>
            message.headers['oc-dlq-consumer-group'] === fixture.consumerGroup &&
            message.eventId === poison.id,
        );
        return found.length > 0 ? found : undefined;
      });
      expect(dead?.key).toBe(subscriber);
      expect(dead?.headers).toMatchObject({
        'oc-dlq-original-topic': TOPIC,
        'oc-dlq-reason': 'handler_failed',
        'oc-dlq-attempts': String(testSettings().consumerMaxAttempts),
        'content-type': 'application/cloudevents+json',
      });
      expect(dead?.headers['oc-dlq-error']).toContain('handler bug');
      const effects = await fixture.effectsOf([poison.id, next.id]);
      expect([effects.get(poison.id), effects.get(next.id)]).toEqual([undefined, 1]);
    } finally {
      await consumer.close();
    }
  });

  it('runs the handler in the trace of the traceparent header, so the trace continues across services', async () => {
    const event = BackboneFixture.event();
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const producer = await RawProducer.connect();
    await producer.send(TOPIC, event.subject, JSON.stringify(event), {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    await producer.stop();
    let handled = false;
    let seenTraceId: string | undefined;
    const log = new OutcomeLog();
    const consumer = await consumerIn(mode, log, {
      observe: (delivered) => {
        if (delivered.id !== event.id) return;
        handled = true;
        seenTraceId = trace.getActiveSpan()?.spanContext().traceId;
      },
    });
    try {
      await eventually('the handler to run', async () => (handled ? true : undefined)).catch(
        (error: Error) => {
          throw new Error(`${error.message}; outcomes: ${JSON.stringify([...log.byEventId])}`);
        },
      );
      expect(seenTraceId).toBe(traceId);
    } finally {
      await consumer.close();
    }
  });
});

describe('the batched consumer', () => {
  it('applies every event of a backlog once, a chunk per transaction', async () => {
    const subscribers = [BackboneFixture.event().subject, BackboneFixture.event().subject];
    const events = Array.from({ length: 30 }, (_, index) => BackboneFixture.event(subscribers[index % 2]));
    const ids = events.map((event) => event.id);
    await publishBacklog(events);
    const log = new OutcomeLog();
    const consumer = await consumerIn('batched', log, { chunkSize: 4 });
    try {
      await eventually('all 30 applied', async () => (log.sawAll(ids, 'applied') ? true : undefined));
      const effects = await fixture.effectsOf(ids);
      expect(ids.map((id) => effects.get(id))).toEqual(ids.map(() => 1));
      expect(Math.max(...log.chunkSizes)).toBe(4);
      const [recorded] = (await fixture.dataSource.query(
        'SELECT count(*)::int AS n FROM processed_events WHERE consumer_group = $1 AND event_id = ANY($2::uuid[])',
        [fixture.consumerGroup, ids],
      )) as { n: number }[];
      expect(recorded?.n).toBe(30);
    } finally {
      await consumer.close();
    }
  });

  it('gives a batch handler the chunk in offset order, in one call', async () => {
    const subscriber = BackboneFixture.event().subject;
    const events = Array.from({ length: 12 }, () => BackboneFixture.event(subscriber));
    const ids = events.map((event) => event.id);
    await publishBacklog(events);
    const calls: { ids: string[]; offsets: string[] }[] = [];
    const log = new OutcomeLog();
    const consumer = await consumerIn('batched', log, {
      // A chunk may start with an earlier test's leftover message: only this test's events are looked at.
      observeBatch: (batch, context) => {
        const ours = batch.flatMap((event, index) => (ids.includes(event.id) ? [index] : []));
        if (ours.length === 0) return;
        calls.push({
          ids: ours.map((index) => (batch[index] as CloudEvent).id),
          offsets: ours.map((index) => context.offsets[index] as string),
        });
      },
    });
    try {
      await eventually('all 12 applied', async () => (log.sawAll(ids, 'applied') ? true : undefined));
      expect(calls.flatMap((call) => call.ids)).toEqual(ids);
      const offsets = calls.flatMap((call) => call.offsets).map(BigInt);
      expect(offsets.every((offset, index) => index === 0 || offset > (offsets[index - 1] as bigint))).toBe(
        true,
      );
      expect(Math.max(...calls.map((call) => call.ids.length))).toBeGreaterThan(1);
      const effects = await fixture.effectsOf(ids);
      expect(ids.map((id) => effects.get(id))).toEqual(ids.map(() => 1));
    } finally {
      await consumer.close();
    }
  });

  it.each(['an @OnEvent', 'an @OnEventBatch'] as const)(
    'dead-letters exactly the poison message in the middle of a batch, for %s handler; its neighbours apply once',
    async (kind) => {
      const subscriber = BackboneFixture.event().subject;
      const events = Array.from({ length: 7 }, () => BackboneFixture.event(subscriber));
      const poison = events[3] as (typeof events)[number];
      const ids = events.map((event) => event.id);
      const neighbours = ids.filter((id) => id !== poison.id);
      await publishBacklog(events);
      const log = new OutcomeLog();
      const consumer = await consumerIn('batched', log, {
        failForEventId: poison.id,
        ...(kind === 'an @OnEventBatch' ? { observeBatch: () => undefined } : {}),
      });
      try {
        await eventually('the neighbours to apply and the poison to be dead-lettered', async () =>
          log.sawAll(neighbours, 'applied') && log.sawAll([poison.id], 'dead_lettered') ? true : undefined,
        );
        const letters = await eventually('the poison on the DLQ', async () => {
          const found = deadLettersOf(ids);
          return found.length > 0 ? found : undefined;
        });
        expect(letters.map((letter) => letter.eventId)).toEqual([poison.id]);
        expect(letters[0]?.headers['oc-dlq-reason']).toBe('handler_failed');
        const effects = await fixture.effectsOf(ids);
        expect(ids.map((id) => effects.get(id))).toEqual(ids.map((id) => (id === poison.id ? undefined : 1)));
      } finally {
        await consumer.close();
      }
    },
  );

  it('applies nothing twice when a whole batch is redelivered (killed after its commit, before the offsets)', async () => {
    const subscriber = BackboneFixture.event().subject;
    const events = Array.from({ length: 10 }, () => BackboneFixture.event(subscriber));
    const ids = events.map((event) => event.id);
    await publishBacklog(events);
    const firstLife = new OutcomeLog();
    const doomed = await rawBatchConsumer(
      firstLife.wrapBatched((await fixture.batchedProcessor()).batched),
      () => undefined,
    );
    await eventually('the first life to apply all 10', async () =>
      firstLife.sawAll(ids, 'applied') ? true : undefined,
    );
    await doomed.disconnect();

    const secondLife = new OutcomeLog();
    const restarted = await consumerIn('batched', secondLife);
    try {
      await eventually('the redelivery of all 10', async () =>
        secondLife.sawAll(ids, 'duplicate') ? true : undefined,
      );
      expect(secondLife.sawAll(ids, 'applied')).toBe(false);
      const effects = await fixture.effectsOf(ids);
      expect(ids.map((id) => effects.get(id))).toEqual(ids.map(() => 1));
    } finally {
      await restarted.close();
    }
  });

  it('loses nothing and applies nothing twice when killed in the middle of a batch', async () => {
    const subscriber = BackboneFixture.event().subject;
    const events = Array.from({ length: 12 }, () => BackboneFixture.event(subscriber));
    const ids = events.map((event) => event.id);
    await publishBacklog(events);

    // First life: chunks of 4; it dies inside the transaction of the chunk holding the 9th event (which rolls
    // back). Other tests' leftovers on the partition may shift the chunks, so what was applied before is read from
    // the log: a prefix of the events, at least the first 5 (the 1st and the 9th never share a chunk of 4).
    const dying = new AbortController();
    const killedAt = ids[8];
    const firstLife = new OutcomeLog();
    const { batched } = await fixture.batchedProcessor({
      stopSignal: dying.signal,
      observeBatch: (batch) => {
        if (!batch.some((event) => event.id === killedAt)) return;
        dying.abort();
        throw new Error('killed');
      },
    });
    const died = new Promise<unknown>((resolve) => {
      void rawBatchConsumer(firstLife.wrapBatched(batched), resolve, 4).then(async (consumer) => {
        await died;
        await consumer.disconnect();
      });
    });
    expect(await died).toBeInstanceOf(ConsumerStoppingError);
    const appliedBefore = ids.filter((id) => firstLife.byEventId.has(id));
    expect(appliedBefore.length).toBeGreaterThanOrEqual(5);
    expect(appliedBefore).toEqual(ids.slice(0, appliedBefore.length));
    expect(appliedBefore).not.toContain(killedAt);
    expect(firstLife.sawAll(appliedBefore, 'applied')).toBe(true);
    expect((await fixture.effectsOf(ids)).size).toBe(appliedBefore.length);

    const secondLife = new OutcomeLog();
    const restarted = await consumerIn('batched', secondLife, { chunkSize: 4 });
    try {
      await eventually('the rest to apply', async () =>
        secondLife.sawAll(ids.slice(appliedBefore.length), 'applied') ? true : undefined,
      );
      expect(secondLife.sawAll(appliedBefore, 'duplicate')).toBe(true);
      const effects = await fixture.effectsOf(ids);
      expect(ids.map((id) => effects.get(id))).toEqual(ids.map(() => 1));
    } finally {
      await restarted.close();
    }
  });
});

/**
 * A consumer of the fixture's group that applies chunks but never commits an offset (autoCommit off), as a
 * process killed before its offsets reached Kafka; `onError` gets what a chunk threw (the process "died").
 */
async function rawBatchConsumer(
  processor: BatchedEventProcessor,
  onError: (error: unknown) => void,
  chunkSize = 500,
): Promise<Consumer> {
  const consumer = fixture.kafka.consumer({ groupId: fixture.consumerGroup, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let dead = false;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const messages of chunksOf(batch.messages, chunkSize)) {
        if (dead) return;
        try {
          await processor.processChunk({
            topic: batch.topic,
            partition: batch.partition,
            messages,
            heartbeat,
            settle: async () => undefined,
          });
        } catch (error) {
          dead = true;
          onError(error);
        }
      }
    },
  });
  return consumer;
}
