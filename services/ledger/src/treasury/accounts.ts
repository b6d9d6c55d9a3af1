/**
 * Treasury and source accounts. Participant keys (`fund:general`, `provider:…`, `operator:…`, `member:…`,
 * `escrow:…`) are those of docs/money-rules.md step 5, built by `@onecommons/allocation`.
 */
export const TreasuryAccount = {
  /** Currency backing the outstanding tokens. */
  reserve: 'treasury:reserve',
  /** uCC source: its negative balance is the tokens outstanding. */
  issued: 'treasury:issued',
  /** Currency source: every captured payment, negative. */
  paymentsReceived: 'payments:received',
  /** Payments in a currency that is not the treasury's: held, not minted (no FX). */
  foreignCurrencySuspense: 'suspense:foreign-currency',
  /** Currency committed to scheduled payouts, until the rail pays them or they fail. */
  payoutsInTransit: 'payouts:in-transit',
  /** Currency the rails paid out: its balance is everything paid to payees, less reversals. */
  payoutsDisbursed: 'payouts:disbursed',
  /** Currency refunded (or taken by a dispute) before the payment's tokens were allocated: its tokens were burned. */
  paymentsRefunded: 'payments:refunded',
  /** Currency refunded (or taken by a dispute) after the close: a loss the reserve bore and the price absorbed. */
  refundLosses: 'treasury:refund-losses',
  /** What such a loss took beyond what the reserve held (negative): the platform advanced it. */
  refundShortfall: 'treasury:refund-shortfall',
} as const;

/** A subscriber's period escrow in uCC: what its fee for the period minted, until the period is allocated. */
export const subscriberEscrow = (subscriberId: string, period: string): string =>
  `subscriber:${subscriberId}:${period}`;

/** A `LIKE` pattern for every subscriber's escrow of the period (a period has no `%` or `_`). */
export const subscriberEscrowsOf = (period: string): string => subscriberEscrow('%', period);

/** Currency a holder's redeemed tokens paid, owed to it (payouts pays it out). */
export const payableAccount = (holder: string): string => `payable:${holder}`;

/** Participants whose tokens can become payable currency (the fund and project escrows hold theirs). */
export const isPayeeAccount = (account: string): boolean => /^(provider|operator|member):/.test(account);
