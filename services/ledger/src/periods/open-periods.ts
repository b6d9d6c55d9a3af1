import { nextPeriod, periodOf } from '@onecommons/contracts';

/** Whether a period is closed, in the caller's transaction (`PeriodClosesRepository.isClosed`). */
export type IsClosed = (period: string) => Promise<boolean>;

/** `from` if it is open, else the first period after it that is (what arrives for a closed period goes there). */
export async function firstOpenPeriod(isClosed: IsClosed, from: string): Promise<string> {
  let candidate = from;
  while (await isClosed(candidate)) candidate = nextPeriod(candidate);
  return candidate;
}

/**
 * The period whose escrow a payment (or its refund) funds: its own, unless that period is already closed (a
 * payment captured after the close); then the first open period from when it was captured, so the fee still
 * reaches the services the subscriber uses instead of sitting in an escrow no allocation will ever read.
 */
export async function openPeriodFor(isClosed: IsClosed, period: string, capturedAt: Date): Promise<string> {
  if (!(await isClosed(period))) return period;
  return firstOpenPeriod(isClosed, periodOf(capturedAt) > period ? periodOf(capturedAt) : nextPeriod(period));
}
