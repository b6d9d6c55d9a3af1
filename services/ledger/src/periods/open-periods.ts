import { nextPeriod, periodOf } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';
import { PeriodClosesRepository } from './period-closes.repository.js';

// Stateless: these functions serve callers that have only their manager.
const closes = new PeriodClosesRepository();

export function isClosed(manager: EntityManager, period: string): Promise<boolean> {
  return closes.isClosed(manager, period);
}

/** `from` if it is open, else the first period after it that is (what arrives for a closed period goes there). */
export async function firstOpenPeriod(manager: EntityManager, from: string): Promise<string> {
  let candidate = from;
  while (await isClosed(manager, candidate)) candidate = nextPeriod(candidate);
  return candidate;
}

/**
 * The period whose escrow a payment (or its refund) funds: its own, unless that period is already closed (a
 * payment captured after the close); then the first open period from when it was captured, so the fee still
 * reaches the services the subscriber uses instead of sitting in an escrow no allocation will ever read.
 */
export async function openPeriodFor(
  manager: EntityManager,
  period: string,
  capturedAt: Date,
): Promise<string> {
  if (!(await isClosed(manager, period))) return period;
  return firstOpenPeriod(manager, periodOf(capturedAt) > period ? periodOf(capturedAt) : nextPeriod(period));
}
