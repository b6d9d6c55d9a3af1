import { SetMetadata } from '@nestjs/common';
import { type EventContract } from '@onecommons/contracts';
import { type EventHandlerFunction } from './event-context.js';

export const ON_EVENT_METADATA = 'onecommons:on-event';

/**
 * Marks a provider method as the handler of an event type (its newest version; older messages are
 * upcast before they reach it). The backbone subscribes to the event's topic and calls the method
 * inside a transaction that also records the event as processed.
 */
export function OnEvent<Data>(contract: EventContract<Data>) {
  return <Handler extends EventHandlerFunction<Data>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    SetMetadata(ON_EVENT_METADATA, contract)(target, key, descriptor);
  };
}
