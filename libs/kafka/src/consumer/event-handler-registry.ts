import { type CloudEvent, type EventCatalogue, type EventContract } from '@onecommons/contracts';
import {
  type EventBatchContext,
  type EventBatchHandlerFunction,
  type EventContext,
  type EventHandlerFunction,
} from './event-context.js';

export interface HandlerBinding {
  readonly name: string;
  readonly contract: EventContract<unknown>;
  /** Applies one event (a batch handler gets a batch of one). */
  readonly invoke: (event: CloudEvent, context: EventContext) => Promise<void>;
  /** Present for `@OnEventBatch` handlers: applies consecutive events of the type at once. */
  readonly invokeBatch?: (events: readonly CloudEvent[], context: EventBatchContext) => Promise<void>;
}

/** Which handlers a service has for which event types, and so which topics it consumes. */
export class EventHandlerRegistry {
  private readonly byType = new Map<string, HandlerBinding[]>();

  constructor(private readonly catalogue: EventCatalogue) {}

  register<Data>(name: string, contract: EventContract<Data>, handler: EventHandlerFunction<Data>): void {
    this.add({
      name,
      contract: this.newestKnown(name, contract),
      invoke: (event, context) => handler(event as CloudEvent<Data>, context),
    });
  }

  registerBatch<Data>(
    name: string,
    contract: EventContract<Data>,
    handler: EventBatchHandlerFunction<Data>,
  ): void {
    this.add({
      name,
      contract: this.newestKnown(name, contract),
      invoke: (event, { manager, topic, partition, offset, heartbeat }) =>
        handler([event as CloudEvent<Data>], { manager, topic, partition, offsets: [offset], heartbeat }),
      invokeBatch: (events, context) => handler(events as readonly CloudEvent<Data>[], context),
    });
  }

  handlersFor(type: string): readonly HandlerBinding[] {
    return this.byType.get(type) ?? [];
  }

  topics(): string[] {
    return [...new Set([...this.byType.values()].flat().map((binding) => binding.contract.topic))].sort();
  }

  get size(): number {
    return [...this.byType.values()].reduce((sum, bindings) => sum + bindings.length, 0);
  }

  private newestKnown<Data>(name: string, contract: EventContract<Data>): EventContract<unknown> {
    const known = this.catalogue.contractOf(contract.type);
    if (!known) throw new Error(`${name} handles ${contract.type}, which is not in the event catalogue`);
    const newest = this.catalogue.newestOf(known);
    if (newest.type !== contract.type) {
      throw new Error(
        `${name} handles ${contract.type}, superseded by ${newest.type}: handle the newest version`,
      );
    }
    return known;
  }

  private add(binding: HandlerBinding): void {
    const type = binding.contract.type;
    this.byType.set(type, [...(this.byType.get(type) ?? []), binding]);
  }
}
