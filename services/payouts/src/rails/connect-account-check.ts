import { type AccountCheck } from './payout-rail.js';

/** What decides whether a Stripe connected account can be paid: the parts of Stripe's Account object read. */
export interface ConnectAccountFacts {
  readonly details_submitted?: boolean | null;
  readonly payouts_enabled?: boolean | null;
  readonly capabilities?: { readonly transfers?: string | null } | null;
  readonly requirements?: {
    readonly currently_due?: readonly string[] | null;
    readonly past_due?: readonly string[] | null;
    readonly disabled_reason?: string | null;
  } | null;
}

/**
 * docs/payout-rules.md, "Stripe onboarding": a connected account is verified (payouts may go to it) when its
 * holder finished onboarding, its `transfers` capability is active, payouts are enabled and Stripe lists nothing
 * currently or past due. Otherwise the first reason in that order, and what Stripe still needs.
 */
export function checkConnectAccount(account: ConnectAccountFacts): AccountCheck {
  const requirements = [
    ...new Set([...(account.requirements?.past_due ?? []), ...(account.requirements?.currently_due ?? [])]),
  ].sort();
  const transfers = account.capabilities?.transfers ?? null;
  const reason = !account.details_submitted
    ? 'onboarding_incomplete'
    : (account.requirements?.disabled_reason ??
      ((account.requirements?.past_due ?? []).length > 0
        ? 'requirements.past_due'
        : requirements.length > 0
          ? 'requirements.currently_due'
          : transfers !== 'active'
            ? `transfers_capability_${transfers ?? 'not_requested'}`
            : !account.payouts_enabled
              ? 'payouts_disabled'
              : null));
  return reason === null
    ? { verified: true, reason: null, requirements: [] }
    : { verified: false, reason, requirements };
}
