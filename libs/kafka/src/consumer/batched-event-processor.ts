import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type CloudEvent } from '@onecommons/contracts';
import { type KafkaMessage } from 'kafkajs';
import { type EntityManager } from 'typeorm';
import { linksToProducers, traceContextOf } from '../trace-context.js';
import { firstOccurrences, runsOf } from './chunk-plan.js';
import { type EventContext } from './event-context.js';
import { type HandlerBinding } from './event-handler-registry.js';
import {
  ConsumerStoppingError,
  describeError,
  type IdempotentEventProcessor,
  type IdempotentEventProcessorDeps,
  type ProcessOutcome,
} from './idempotent-event-processor.js';

/** Consecutive messages of one partition, applied in one transaction. */
export interface IncomingChunk {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  heartbeat(): Promise<void>;
  /** Marks the messages up to and including `offset` done, so their offsets may be committed. */
  settle(offset: string): Promise<void>;
}

interface Delivery {
  readonly message: KafkaMessage;
  readonly event: CloudEvent;
  readonly receivedType: string;
  readonly handlers: readonly HandlerBinding[];
}

const tracer = trace.getTracer('onecommons-backbone');

/**
 * Applies a chunk of one partition's messages exactly once in ONE transaction: the event ids are recorded in
 * `processed_events` in bulk, the handlers run for the newly recorded ones in offset order, the transaction
 * commits, then the chunk settles (its offsets may be committed). Consecutive events of a type that has an
 * `@OnEventBatch` handler reach it at once; `@OnEvent` handlers get them one by one, each in its own trace.
 *
 * When the transaction fails (a handler threw, the database went away), it rolls back and the chunk is
 * applied again one message at a time by the per-message processor: its retries, backoff and DLQ are the only
 * home of those rules, so exactly the poison message is dead-lettered and its neighbours applied once.
 * Messages that do not decode go to the DLQ through the same processor once the chunk committed.
 */
export class BatchedEventProcessor {
  constructor(
    private readonly deps: IdempotentEventProcessorDeps,
    private readonly perMessage: IdempotentEventProcessor,
  ) {}

  /** Returns each message's outcome, in the chunk's order. */
  async processChunk(chunk: IncomingChunk): Promise<ProcessOutcome[]> {
    const { topic, messages } = chunk;
    const last = messages.at(-1);
    if (!last) return [];
    const { outcomes, deliveries, ignoredTypes } = this.sortOut(messages);
    if (deliveries.length > 0) {
      const startedAt = performance.now();
      let applied: ReadonlySet<string>;
      try {
        applied = await this.withHeartbeats(chunk, () => this.applyInOneTransaction(chunk, deliveries));
      } catch (error) {
        this.observeChunk(topic, messages.length, startedAt, 'failed');
        if (this.deps.stopSignal.aborted) throw new ConsumerStoppingError();
        this.deps.logger.warn(
          `chunk of ${messages.length} messages from ${topic}[${chunk.partition}]@${messages[0]?.offset ?? '?'} ` +
            `failed (${describeError(error)}); applying them one at a time`,
        );
        return this.oneAtATime(chunk);
      }
      const seconds = this.observeChunk(topic, messages.length, startedAt, 'committed');
      for (const delivery of deliveries) {
        const outcome = applied.has(delivery.message.offset) ? 'applied' : 'duplicate';
        outcomes[delivery.index] = outcome;
        this.deps.metrics?.eventsConsumed.inc({ topic, type: delivery.event.type, outcome });
        this.deps.metrics?.handlerDuration.observe(
          { topic, type: delivery.event.type },
          seconds / deliveries.length,
        );
      }
    }
    // Counted only now: a chunk that falls back is counted by the per-message path.
    for (const type of ignoredTypes)
      this.deps.metrics?.eventsConsumed.inc({ topic, type, outcome: 'ignored' });
    for (const [index, message] of messages.entries()) {
      if (outcomes[index] !== undefined) continue;
      outcomes[index] = await this.perMessage.process({
        topic,
        partition: chunk.partition,
        message,
        heartbeat: chunk.heartbeat,
      });
    }
    await chunk.settle(last.offset);
    return outcomes.map((outcome) => outcome ?? 'ignored');
  }

  /**
   * Decodes the messages: those with handlers are delivered in the transaction, those without are ignored, and
   * those that do not decode are left (no outcome yet) to the per-message path, which dead-letters them.
   */
  private sortOut(messages: readonly KafkaMessage[]) {
    const outcomes: (ProcessOutcome | undefined)[] = messages.map(() => undefined);
    const deliveries: (Delivery & { readonly index: number })[] = [];
    const ignoredTypes: string[] = [];
    messages.forEach((message, index) => {
      const decoded = this.deps.catalogue.decode(message.value);
      if (!decoded.ok) return;
      const handlers = this.deps.registry.handlersFor(decoded.contract.type);
      if (handlers.length === 0) {
        outcomes[index] = 'ignored';
        ignoredTypes.push(decoded.contract.type);
        return;
      }
      deliveries.push({ message, event: decoded.event, receivedType: decoded.receivedType, handlers, index });
    });
    return { outcomes, deliveries, ignoredTypes };
  }

  /** The chunk through the per-message path, each message settled as soon as it is done. */
  private async oneAtATime(chunk: IncomingChunk): Promise<ProcessOutcome[]> {
    const outcomes: ProcessOutcome[] = [];
    for (const message of chunk.messages) {
      const { topic, partition, heartbeat } = chunk;
      outcomes.push(await this.perMessage.process({ topic, partition, message, heartbeat }));
      await chunk.settle(message.offset);
    }
    return outcomes;
  }

  /** Returns the offsets of the deliveries applied now (the others were applied before). */
  private applyInOneTransaction(
    chunk: IncomingChunk,
    deliveries: readonly Delivery[],
  ): Promise<ReadonlySet<string>> {
    return this.deps.dataSource.transaction(async (manager) => {
      const candidates = firstOccurrences(deliveries, (delivery) => delivery.event.id.toLowerCase());
      const recorded = (await manager.query(
        `INSERT INTO processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset)
         SELECT $1, event.id, event.type, $2, $3, event.kafka_offset
           FROM unnest($4::uuid[], $5::text[], $6::bigint[]) AS event(id, type, kafka_offset)
          ORDER BY event.id
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [
          this.deps.consumerGroup,
          chunk.topic,
          chunk.partition,
          candidates.map((delivery) => delivery.event.id),
          candidates.map((delivery) => delivery.event.type),
          candidates.map((delivery) => delivery.message.offset),
        ],
      )) as { event_id: string }[];
      const recordedIds = new Set(recorded.map((row) => row.event_id.toLowerCase()));
      const fresh = candidates.filter((delivery) => recordedIds.has(delivery.event.id.toLowerCase()));
      for (const run of runsOf(fresh, (delivery) => delivery.event.type)) {
        await this.applyRun(manager, chunk, run);
      }
      return new Set(fresh.map((delivery) => delivery.message.offset));
    });
  }

  /** One type's consecutive new events: per-event handlers event by event, then batch handlers at once. */
  private async applyRun(
    manager: EntityManager,
    chunk: IncomingChunk,
    run: readonly Delivery[],
  ): Promise<void> {
    const handlers = run[0]?.handlers ?? [];
    const perEvent = handlers.filter((handler) => !handler.invokeBatch);
    if (perEvent.length > 0) {
      for (const delivery of run) {
        const context: EventContext = {
          manager,
          topic: chunk.topic,
          partition: chunk.partition,
          offset: delivery.message.offset,
          receivedType: delivery.receivedType,
          heartbeat: chunk.heartbeat,
        };
        await this.inSpan(chunk, [delivery], async () => {
          for (const handler of perEvent) await handler.invoke(delivery.event, context);
        });
      }
    }
    for (const handler of handlers) {
      const invokeBatch = handler.invokeBatch;
      if (!invokeBatch) continue;
      await this.inSpan(chunk, run, () =>
        invokeBatch(
          run.map((delivery) => delivery.event),
          {
            manager,
            topic: chunk.topic,
            partition: chunk.partition,
            offsets: run.map((delivery) => delivery.message.offset),
            heartbeat: chunk.heartbeat,
          },
        ),
      );
    }
  }

  /**
   * One event continues its producer's trace (the span's parent comes from its `traceparent`); a batch gets a
   * span of its own linked to each event's trace.
   */
  private inSpan(chunk: IncomingChunk, run: readonly Delivery[], work: () => Promise<void>): Promise<void> {
    const [only] = run;
    const single = run.length === 1 && only !== undefined;
    const links = single ? [] : linksToProducers(run.map((delivery) => delivery.message.headers));
    const parent = single ? traceContextOf(only.message.headers) : undefined;
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.destination.name': chunk.topic,
      'messaging.kafka.destination.partition': chunk.partition,
      'messaging.batch.message_count': run.length,
      ...(single
        ? {
            'messaging.kafka.message.offset': Number(only.message.offset),
            'messaging.message.id': only.event.id,
            'cloudevents.event_type': only.event.type,
          }
        : { 'cloudevents.event_type': run[0]?.event.type ?? '' }),
    };
    const name = single ? `${chunk.topic} process` : `${chunk.topic} process batch`;
    const body = async (span: ReturnType<typeof tracer.startSpan>) => {
      try {
        await work();
        span.setAttribute('onecommons.outcome', 'applied');
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        span.end();
      }
    };
    const options = { kind: SpanKind.CONSUMER, attributes, links };
    return parent
      ? tracer.startActiveSpan(name, options, parent, body)
      : tracer.startActiveSpan(name, options, body);
  }

  private async withHeartbeats<Result>(chunk: IncomingChunk, work: () => Promise<Result>): Promise<Result> {
    const heartbeats = setInterval(
      () => void chunk.heartbeat().catch(() => undefined),
      this.deps.settings.heartbeatIntervalMs,
    );
    try {
      return await work();
    } finally {
      clearInterval(heartbeats);
    }
  }

  private observeChunk(
    topic: string,
    size: number,
    startedAt: number,
    outcome: 'committed' | 'failed',
  ): number {
    const seconds = (performance.now() - startedAt) / 1_000;
    this.deps.metrics?.consumerChunkSize.observe({ topic }, size);
    this.deps.metrics?.consumerChunkDuration.observe({ topic, outcome }, seconds);
    return seconds;
  }
}
