import { type Kafka, Partitioners, type Producer } from 'kafkajs';

/** How every service's idempotent producer is made: the outbox relay's and the one the rest of the backbone shares. */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    // An idempotent producer keeps retrying: the outbox row stays unsent until Kafka is back.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
}

/** Broker answers that mean it no longer knows this producer's id or sequence: only a new producer recovers. */
const LOST_PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/**
 * Whether a send failed because the broker lost the idempotent producer's state (e.g. a broker killed and
 * restarted): kafkajs keeps the producer id, so every retry fails the same way. Looks through kafkajs'
 * wrappers (`cause`, aggregated `errors`).
 */
export function producerStateLost(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  if (typeof type === 'string' && LOST_PRODUCER_STATE.has(type)) return true;
  if (producerStateLost(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((inner) => producerStateLost(inner, depth + 1));
}
