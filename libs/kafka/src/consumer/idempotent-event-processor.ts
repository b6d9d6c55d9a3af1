import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type CloudEvent, EVENT_DECODE_ERROR_CODES, type EventCatalogue } from '@onecommons/contracts';
import { isTransientDatabaseError } from '@onecommons/persistence';
import { type KafkaMessage } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { backoffDelay, sleep } from '../backoff.js';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { type DeadLetterSink } from '../dlq/dead-letter-publisher.js';
import { type KafkaSettings } from '../kafka-config.js';
import { traceContextOf } from '../trace-context.js';
import { type EventContext } from './event-context.js';
import { type EventHandlerRegistry, type HandlerBinding } from './event-handler-registry.js';

export type ProcessOutcome = 'applied' | 'duplicate' | 'ignored' | 'dead_lettered';

/** Why a message went to the DLQ: it did not decode (the catalogue's codes), or its handler kept failing. */
export const DEAD_LETTER_REASONS = [...EVENT_DECODE_ERROR_CODES, 'handler_failed'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  heartbeat(): Promise<void>;
}

export interface ProcessorLogger {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface IdempotentEventProcessorDeps {
  readonly dataSource: DataSource;
  readonly catalogue: EventCatalogue;
  readonly registry: EventHandlerRegistry;
  readonly consumerGroup: string;
  readonly deadLetters: DeadLetterSink;
  readonly settings: KafkaSettings;
  readonly logger: ProcessorLogger;
  readonly metrics?: BackboneMetrics;
  /** Aborted when the consumer stops: retries end and the message stays uncommitted. */
  readonly stopSignal: AbortSignal;
}

export class ConsumerStoppingError extends Error {
  constructor() {
    super('consumer is stopping; message left for redelivery');
    this.name = 'ConsumerStoppingError';
  }
}

const tracer = trace.getTracer('onecommons-backbone');

/**
 * Applies one Kafka message exactly once to the service's database.
 *
 * The handlers' effects and the processed-event record commit in one transaction; a redelivered message
 * finds its record and changes nothing. Handler failures are retried with backoff and, after the
 * configured attempts, the message goes to `<topic>.dlq` and the partition moves on. An unreachable
 * database is not the message's fault: such failures are retried without counting an attempt.
 * Invalid messages (bad JSON, envelope or data, unknown type) go to the DLQ at once.
 */
export class IdempotentEventProcessor {
  constructor(private readonly deps: IdempotentEventProcessorDeps) {}

  async process(incoming: IncomingMessage): Promise<ProcessOutcome> {
    const { topic } = incoming;
    const decoded = this.deps.catalogue.decode(incoming.message.value);
    if (!decoded.ok) {
      const { code, field, message } = decoded.error;
      await this.deadLetter(incoming, code, `${field}: ${message}`, 0);
      return 'dead_lettered';
    }
    const handlers = this.deps.registry.handlersFor(decoded.contract.type);
    if (handlers.length === 0) {
      this.deps.metrics?.eventsConsumed.inc({ topic, type: decoded.contract.type, outcome: 'ignored' });
      return 'ignored';
    }
    const parent = traceContextOf(incoming.message.headers);
    return tracer.startActiveSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.kafka.destination.partition': incoming.partition,
          'messaging.kafka.message.offset': Number(incoming.message.offset),
          'messaging.message.id': decoded.event.id,
          'cloudevents.event_type': decoded.event.type,
        },
      },
      parent,
      async (span) => {
        try {
          const outcome = await this.applyWithRetries(
            incoming,
            decoded.event,
            decoded.receivedType,
            handlers,
          );
          span.setAttribute('onecommons.outcome', outcome);
          return outcome;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async applyWithRetries(
    incoming: IncomingMessage,
    event: CloudEvent,
    receivedType: string,
    handlers: readonly HandlerBinding[],
  ): Promise<ProcessOutcome> {
    const { settings, stopSignal, metrics } = this.deps;
    let attempts = 0;
    let outages = 0;
    for (;;) {
      if (stopSignal.aborted) throw new ConsumerStoppingError();
      const heartbeats = setInterval(
        () => void incoming.heartbeat().catch(() => undefined),
        settings.heartbeatIntervalMs,
      );
      const endTimer = metrics?.handlerDuration.startTimer({ topic: incoming.topic, type: event.type });
      try {
        const applied = await this.applyOnce(incoming, event, receivedType, handlers);
        endTimer?.();
        const outcome = applied ? 'applied' : 'duplicate';
        metrics?.eventsConsumed.inc({ topic: incoming.topic, type: event.type, outcome });
        return outcome;
      } catch (error) {
        if (stopSignal.aborted) throw new ConsumerStoppingError();
        if (isTransientDatabaseError(error)) {
          outages++;
          this.deps.logger.warn(`database unavailable while applying ${event.type} ${event.id}; retrying`);
          await sleep(
            backoffDelay(outages, settings.consumerRetryBackoffMs, settings.consumerRetryBackoffMaxMs),
            stopSignal,
          );
          continue;
        }
        attempts++;
        this.deps.logger.error(`handler failed for ${event.type} ${event.id} (attempt ${attempts})`, error);
        if (attempts >= settings.consumerMaxAttempts) {
          await this.deadLetter(incoming, 'handler_failed', describeError(error), attempts);
          return 'dead_lettered';
        }
        await sleep(
          backoffDelay(attempts, settings.consumerRetryBackoffMs, settings.consumerRetryBackoffMaxMs),
          stopSignal,
        );
        await incoming.heartbeat().catch(() => undefined);
      } finally {
        clearInterval(heartbeats);
      }
    }
  }

  private applyOnce(
    incoming: IncomingMessage,
    event: CloudEvent,
    receivedType: string,
    handlers: readonly HandlerBinding[],
  ): Promise<boolean> {
    return this.deps.dataSource.transaction(async (manager) => {
      const recorded: unknown[] = await manager.query(
        `INSERT INTO processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
        [
          this.deps.consumerGroup,
          event.id,
          event.type,
          incoming.topic,
          incoming.partition,
          incoming.message.offset,
        ],
      );
      if (recorded.length === 0) return false;
      const context: EventContext = {
        manager,
        topic: incoming.topic,
        partition: incoming.partition,
        offset: incoming.message.offset,
        receivedType,
        heartbeat: incoming.heartbeat,
      };
      for (const handler of handlers) await handler.invoke(event, context);
      return true;
    });
  }

  private async deadLetter(
    incoming: IncomingMessage,
    reason: DeadLetterReason,
    error: string,
    attempts: number,
  ): Promise<void> {
    await this.deps.deadLetters.publish({
      topic: incoming.topic,
      partition: incoming.partition,
      message: incoming.message,
      consumerGroup: this.deps.consumerGroup,
      reason,
      error,
      attempts,
    });
    this.deps.metrics?.deadLettered.inc({ topic: incoming.topic, reason });
    this.deps.metrics?.eventsConsumed.inc({
      topic: incoming.topic,
      type: 'unknown',
      outcome: 'dead_lettered',
    });
    this.deps.logger.warn(
      `dead-lettered ${incoming.topic}[${incoming.partition}]@${incoming.message.offset}: ${reason}: ${error}`,
    );
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
