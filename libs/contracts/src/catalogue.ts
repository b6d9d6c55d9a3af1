import { EventCatalogue } from './envelope/event-catalogue.js';
import { type EventContract } from './envelope/event-contract.js';
import { SubscriberRegisteredV1, SubscriberRegisteredV2 } from './identity/subscriber-registered.js';

/** Every event contract of the platform, old versions included so their messages stay readable. */
export const ALL_EVENT_CONTRACTS: readonly EventContract<unknown>[] = [
  SubscriberRegisteredV1,
  SubscriberRegisteredV2,
];

export const eventCatalogue = new EventCatalogue(ALL_EVENT_CONTRACTS);
