import { describe, expect, it } from '@jest/globals';
import { checkConnectAccount, type ConnectAccountFacts } from './connect-account-check.js';

const onboarded: ConnectAccountFacts = {
  details_submitted: true,
  payouts_enabled: true,
  capabilities: { transfers: 'active' },
  requirements: { currently_due: [], past_due: [], disabled_reason: null },
};

describe('whether a Stripe connected account can be paid', () => {
  it('is verified once onboarded, with transfers active, payouts enabled and nothing due', () => {
    expect(checkConnectAccount(onboarded)).toEqual({ verified: true, reason: null, requirements: [] });
  });

  it('is not before the holder finished onboarding, and says what Stripe still needs', () => {
    expect(
      checkConnectAccount({
        details_submitted: false,
        payouts_enabled: false,
        capabilities: { transfers: 'inactive' },
        requirements: {
          currently_due: ['tos_acceptance.date', 'external_account'],
          past_due: ['external_account'],
          disabled_reason: 'requirements.past_due',
        },
      }),
    ).toEqual({
      verified: false,
      reason: 'onboarding_incomplete',
      requirements: ['external_account', 'tos_acceptance.date'],
    });
  });

  it.each([
    [
      { requirements: { currently_due: ['individual.id_number'], past_due: [], disabled_reason: null } },
      'requirements.currently_due',
    ],
    [
      {
        requirements: {
          currently_due: ['individual.verification.document'],
          past_due: ['individual.verification.document'],
          disabled_reason: null,
        },
      },
      'requirements.past_due',
    ],
    [
      { requirements: { currently_due: [], past_due: [], disabled_reason: 'rejected.fraud' } },
      'rejected.fraud',
    ],
    [{ capabilities: { transfers: 'pending' } }, 'transfers_capability_pending'],
    [{ capabilities: {} }, 'transfers_capability_not_requested'],
    [{ payouts_enabled: false }, 'payouts_disabled'],
  ] as const)('is not when %j (%s)', (change, reason) => {
    const check = checkConnectAccount({ ...onboarded, ...change });
    expect(check).toMatchObject({ verified: false, reason });
  });

  it('reads an account with nothing but its id as not onboarded', () => {
    expect(checkConnectAccount({})).toEqual({
      verified: false,
      reason: 'onboarding_incomplete',
      requirements: [],
    });
  });
});
