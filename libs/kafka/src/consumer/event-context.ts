import { type CloudEvent } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';

/**
 * What a handler gets beside the event. All its database work goes through `manager`: that is the
 * transaction that also records the event as processed, and what a replay points at a fresh schema.
 */
export interface EventContext {
  readonly manager: EntityManager;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The type as produced, before upcasting to the newest version. */
  readonly receivedType: string;
  /** Tells the broker this consumer is alive; call it inside long loops. */
  heartbeat(): Promise<void>;
}

export type EventHandlerFunction<Data> = (event: CloudEvent<Data>, context: EventContext) => Promise<void>;

/**
 * What a batch handler gets beside its events: one partition's consecutive events of its type, in offset
 * order, applied in the same transaction as their processed-event records.
 */
export interface EventBatchContext {
  readonly manager: EntityManager;
  readonly topic: string;
  readonly partition: number;
  /** The events' offsets, in the order of the events. */
  readonly offsets: readonly string[];
  /** Tells the broker this consumer is alive; call it inside long loops. */
  heartbeat(): Promise<void>;
}

export type EventBatchHandlerFunction<Data> = (
  events: readonly CloudEvent<Data>[],
  context: EventBatchContext,
) => Promise<void>;
