import { Inject, Injectable } from '@nestjs/common';
import { createEvent, PayeePreferencesChangedV1, periodEnd, periodOf } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { BalancesRepository } from '../balances/balances.repository.js';
import {
  lineOutcome,
  type LineOutcome,
  nextPayoutStatus,
  type NextPayoutStatus,
  payoutThreshold,
  reasonOf,
} from '../batches/payout-decision.js';
import { type PayoutsConfig, thresholdFor } from '../config.js';
import { PayoutsError } from '../payouts-errors.js';
import { validateBic, validateIban } from '../rails/bank-file.js';
import { type PayoutDestination } from '../rails/payout-rail.js';
import { answeringRailErrors } from '../rails/rail-errors.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { type Payee } from './payee-key.js';
import { ConnectAccountSync } from '../onboarding/connect-account-sync.js';
import { PayeesRepository, type Hold } from './payees.repository.js';
import { accountDto, type PayoutAccountDto } from './payout-account-dto.js';
import { displayOf, PayoutAccountSealer } from './payout-account-sealer.js';

export interface HoldDto {
  readonly id: string;
  readonly reason: string;
  readonly note: string;
  readonly placedAt: string;
}

export interface PayeeDto {
  readonly payee: string;
  readonly autoRedeem: boolean;
  /** The payee's own threshold, if it set one above the platform's. */
  readonly thresholdMinor: string | null;
  readonly payoutAccount: PayoutAccountDto | null;
  readonly holds: readonly HoldDto[];
  readonly balances: readonly {
    readonly currency: string;
    readonly payableMinor: string;
    readonly thresholdMinor: string;
    readonly inFlightMinor: string;
  }[];
  /**
   * What the next batch would do with each non-zero balance if it ran now (the batch's own rule), so nobody waits
   * in the dark (NOTES: stuck payouts); `status` sums the lines up.
   */
  readonly nextPayout: {
    readonly batch: string;
    readonly expectedAfter: string;
    readonly status: NextPayoutStatus;
    readonly reason: string | null;
    readonly lines: readonly {
      readonly currency: string;
      readonly outcome: LineOutcome['outcome'];
      readonly reason: string | null;
    }[];
  };
}

export type PayoutAccountInput =
  | { readonly rail: 'stripe'; readonly accountId: string }
  | {
      readonly rail: 'bank';
      readonly holderName: string;
      readonly iban: string;
      readonly bic?: string | undefined;
    };

/** Payees: their auto-redeem choice, threshold, payout account and holds (docs/payout-rules.md). */
@Injectable()
export class PayeesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payees: PayeesRepository,
    private readonly balances: BalancesRepository,
    private readonly sealer: PayoutAccountSealer,
    private readonly stripe: StripeTransferRail,
    private readonly connectAccounts: ConnectAccountSync,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  async get(payee: Payee, manager: EntityManager = this.dataSource.manager): Promise<PayeeDto> {
    const preferences = await this.payees.preferences(manager, payee.key);
    const account = await this.payees.activeAccount(manager, payee.key);
    const holds = await this.payees.activeHolds(manager, payee.key);
    const inFlight = await this.payees.inFlight(manager, payee.key);
    const standing = await this.payees.standingOf(manager, payee.key);
    const payable = await this.balances.of(manager, payee.key);
    const thresholdOf = (currency: string) => payoutThreshold(thresholdFor(this.config, currency), standing);
    const lines = payable
      .filter((balance) => balance.amountMinor !== 0n)
      .map((balance) => ({
        currency: balance.currency,
        line: lineOutcome(balance.amountMinor, thresholdOf(balance.currency), standing),
      }));
    const batch = periodOf(new Date());
    return {
      payee: payee.key,
      autoRedeem: preferences?.autoRedeem ?? true,
      thresholdMinor: preferences?.ownThresholdMinor?.toString() ?? null,
      payoutAccount: account ? accountDto(account) : null,
      holds: holds.map(holdDto),
      balances: payable.map((balance) => ({
        currency: balance.currency,
        payableMinor: balance.amountMinor.toString(),
        thresholdMinor: thresholdOf(balance.currency).toString(),
        inFlightMinor: (inFlight.get(balance.currency) ?? 0n).toString(),
      })),
      nextPayout: {
        batch,
        expectedAfter: periodEnd(batch).toISOString(),
        ...nextPayoutStatus(lines.map(({ line }) => line)),
        lines: lines.map(({ currency, line }) => ({
          currency,
          outcome: line.outcome,
          reason: reasonOf(line),
        })),
      },
    };
  }

  async setPreferences(
    payee: Payee,
    change: {
      readonly autoRedeem?: boolean | undefined;
      readonly thresholdMinor?: string | null | undefined;
    },
  ): Promise<PayeeDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.payees.ensure(manager, payee.key);
      const before = await this.payees.lock(manager, payee.key);
      if (change.thresholdMinor !== undefined)
        await this.payees.setThreshold(
          manager,
          payee.key,
          change.thresholdMinor === null ? null : BigInt(change.thresholdMinor),
        );
      if (change.autoRedeem !== undefined && change.autoRedeem !== before?.autoRedeem) {
        const changedAt = await this.payees.setAutoRedeem(manager, payee.key, change.autoRedeem);
        await this.outbox.append(manager, [
          createEvent(
            PayeePreferencesChangedV1,
            { payee: payee.key, autoRedeem: change.autoRedeem, changedAt: changedAt.toISOString() },
            { source: '/onecommons/payouts' },
          ),
        ]);
      }
      return this.get(payee, manager);
    });
  }

  /** Replaces the payee's payout account. A Stripe account is checked with Stripe at once; a bank account waits for an admin. */
  async setPayoutAccount(payee: Payee, input: PayoutAccountInput): Promise<PayoutAccountDto> {
    const destination = validDestination(input);
    const check =
      destination.rail === 'stripe'
        ? await answeringRailErrors(() => this.stripe.checkAccount(destination.accountId))
        : { verified: false, reason: 'awaiting_admin_verification', requirements: [] };
    const id = randomUUID();
    return this.dataSource.transaction(async (manager) => {
      await this.payees.ensure(manager, payee.key);
      await this.payees.lock(manager, payee.key);
      const account = await this.payees.replaceActiveAccount(manager, {
        id,
        payee: payee.key,
        rail: destination.rail,
        detailsSealed: this.sealer.seal(id, destination),
        display: displayOf(destination),
        status: check.verified ? 'verified' : 'unverified',
        statusReason: check.verified ? null : check.reason,
        stripeAccountId: destination.rail === 'stripe' ? destination.accountId : null,
        onboarding: false,
        requirements: check.requirements,
      });
      return accountDto(account);
    });
  }

  /** Admin: checks the active account again (Stripe) or attests it (bank, e.g. after a confirmed test transfer). */
  async verifyPayoutAccount(payee: Payee): Promise<PayoutAccountDto> {
    const account = await this.payees.activeAccount(this.dataSource.manager, payee.key);
    if (!account)
      throw PayoutsError.notFound('payout_account_not_found', `${payee.key} has no payout account`);
    const { stripeAccountId } = account;
    const updated =
      stripeAccountId === null
        ? await this.payees.setAccountStatus(this.dataSource.manager, account.id, {
            verified: true,
            reason: null,
            requirements: [],
          })
        : // Through the same locked re-read as Stripe's webhook, so neither overwrites a newer answer.
          (
            await answeringRailErrors(() =>
              this.dataSource.transaction((manager) =>
                this.connectAccounts.refresh(manager, stripeAccountId),
              ),
            )
          ).find((row) => row.id === account.id);
    if (!updated)
      throw PayoutsError.conflict(
        'payout_account_replaced',
        'the payout account changed meanwhile; verify again',
      );
    return accountDto(updated);
  }

  async placeHold(payee: Payee, hold: { reason: string; note: string }, placedBy: string): Promise<HoldDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.payees.ensure(manager, payee.key);
      const placed = await this.payees.placeHold(
        manager,
        { id: randomUUID(), payee: payee.key, reason: hold.reason, note: hold.note },
        placedBy,
      );
      return holdDto(placed);
    });
  }

  async releaseHold(payee: Payee, holdId: string, releasedBy: string): Promise<void> {
    const released = await this.payees.releaseHold(this.dataSource.manager, payee.key, holdId, releasedBy);
    if (!released) throw PayoutsError.notFound('hold_not_found', `no active hold ${holdId} on ${payee.key}`);
  }
}

function validDestination(input: PayoutAccountInput): PayoutDestination {
  if (input.rail === 'stripe') return { rail: 'stripe', accountId: input.accountId };
  const iban = validateIban(input.iban);
  if (!iban.valid)
    throw PayoutsError.invalid('invalid_iban', `not a valid SEPA IBAN (${iban.reason})`, 'iban');
  if (input.bic === undefined) return { rail: 'bank', holderName: input.holderName, iban: iban.value };
  const bic = validateBic(input.bic);
  if (!bic.valid) throw PayoutsError.invalid('invalid_bic', 'not a valid BIC (8 or 11 characters)', 'bic');
  return { rail: 'bank', holderName: input.holderName, iban: iban.value, bic: bic.value };
}

function holdDto(hold: Hold): HoldDto {
  return { id: hold.id, reason: hold.reason, note: hold.note, placedAt: hold.placedAt.toISOString() };
}
