import { type EntityManager } from 'typeorm';
import { type PayingSubscriber, UsageRepository } from './usage.repository.js';

export { type PayingSubscriber } from './usage.repository.js';

/** `UsageRepository.payingSubscribers`, for callers outside Nest's container. */
export function payingSubscribers(manager: EntityManager, period: string): AsyncGenerator<PayingSubscriber> {
  return new UsageRepository().payingSubscribers(manager, period);
}

/**
 * `UsageRepository.payingSubscribersPerService`, for callers outside Nest's container. The engine counts again as
 * it streams and runs a second pass should the two disagree.
 */
export async function payingSubscribersPerService(
  manager: EntityManager,
  period: string,
  { services, weighingMeters }: { services: readonly string[]; weighingMeters: readonly string[] },
): Promise<Map<string, number>> {
  return new UsageRepository().payingSubscribersPerService(manager, period, services, weighingMeters);
}
