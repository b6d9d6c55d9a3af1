import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopicOf, TOPICS } from '@onecommons/contracts';
import { trace } from '@opentelemetry/api';
import { startProcessTelemetry } from '@onecommons/telemetry';
import { eventually, RawProducer, TopicProbe } from '@onecommons/testing';
import { type Consumer } from 'kafkajs';
import {
  EventConsumerServer,
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

async function server(processor: IdempotentEventProcessor, stopController: AbortController) {
  const consumer = new EventConsumerServer({
    kafka: fixture.kafka,
    groupId: fixture.consumerGroup,
    settings: testSettings(),
    topics: () => [TOPIC],
    processor,
    stopController,
  });
  await new Promise<void>((resolve, reject) => {
    void consumer.listen((error) => (error ? reject(error as Error) : resolve()));
  });
  return consumer;
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

  it('dead-letters an event whose handler keeps failing, with the error, and the partition moves on', async () => {
    const subscriber = BackboneFixture.event().subject;
    const poison = BackboneFixture.event(subscriber);
    const next = BackboneFixture.event(subscriber); // same key: same partition, right behind the poison
    await fixture.commit([poison, next]);

    const log = new OutcomeLog();
    const stop = new AbortController();
    const consumer = await server(
      log.wrap(await fixture.processor({ failForEventId: poison.id, stopSignal: stop.signal })),
      stop,
    );
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
    const stop = new AbortController();
    const processor = await fixture.processor({
      stopSignal: stop.signal,
      observe: (delivered) => {
        if (delivered.id !== event.id) return;
        handled = true;
        seenTraceId = trace.getActiveSpan()?.spanContext().traceId;
      },
    });
    const log = new OutcomeLog();
    const consumer = await server(log.wrap(processor), stop);
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
