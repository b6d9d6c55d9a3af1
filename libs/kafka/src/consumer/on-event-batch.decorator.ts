import { SetMetadata } from '@nestjs/common';
import { type EventContract } from '@onecommons/contracts';
import { type EventBatchHandlerFunction } from './event-context.js';

export const ON_EVENT_BATCH_METADATA = 'onecommons:on-event-batch';

/**
 * Like `@OnEvent`, but the method receives a partition's consecutive events of the type at once (a chunk of
 * up to `CONSUMER_CHUNK_SIZE`, in offset order, only those not applied before), in the transaction that
 * records them as processed: it can fold them into one statement. The per-message path (`CONSUMER_MODE=
 * per-message`, a failed chunk's retry, replay) calls it with one event at a time.
 */
export function OnEventBatch<Data>(contract: EventContract<Data>) {
  return <Handler extends EventBatchHandlerFunction<Data>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    SetMetadata(ON_EVENT_BATCH_METADATA, contract)(target, key, descriptor);
  };
}
