import { type CloudEvent, type EventCatalogue, type EventContract } from '@onecommons/contracts';
import { type EventContext, type EventHandlerFunction } from './event-context.js';

export interface HandlerBinding {
  readonly name: string;
  readonly contract: EventContract<unknown>;
  readonly invoke: (event: CloudEvent, context: EventContext) => Promise<void>;
}

/** Which handlers a service has for which event types, and so which topics it consumes. */
export class EventHandlerRegistry {
  private readonly byType = new Map<string, HandlerBinding[]>();

  constructor(private readonly catalogue: EventCatalogue) {}

  register<Data>(name: string, contract: EventContract<Data>, handler: EventHandlerFunction<Data>): void {
    const known = this.catalogue.contractOf(contract.type);
    if (!known) throw new Error(`${name} handles ${contract.type}, which is not in the event catalogue`);
    const newest = this.catalogue.newestOf(known);
    if (newest.type !== contract.type) {
      throw new Error(
        `${name} handles ${contract.type}, superseded by ${newest.type}: handle the newest version`,
      );
    }
    const bindings = this.byType.get(contract.type) ?? [];
    bindings.push({
      name,
      contract: known,
      invoke: (event, context) => handler(event as CloudEvent<Data>, context),
    });
    this.byType.set(contract.type, bindings);
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
}
