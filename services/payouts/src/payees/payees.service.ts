import { Inject, Injectable } from '@nestjs/common';
import { createEvent, PayeePreferencesChangedV1, periodEnd, periodOf } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ensurePayee } from '../balances/payable-credits.js';
import { PayableBalances } from '../balances/payable-balances.js';
import {
  lineOutcome,
  type LineOutcome,
  nextPayoutStatus,
  type NextPayoutStatus,
  type PayeeStanding,
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
import { displayOf, PayoutAccountSealer } from './payout-account-sealer.js';

export interface PayoutAccountDto {
  readonly id: string;
  readonly rail: 'stripe' | 'bank';
  readonly display: string;
  readonly status: 'verified' | 'unverified';
  readonly statusReason: string | null;
  readonly createdAt: string;
  readonly verifiedAt: string | null;
}

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

interface AccountRow {
  id: string;
  rail: 'stripe' | 'bank';
  display: string;
  status: 'verified' | 'unverified';
  status_reason: string | null;
  created_at: Date;
  verified_at: Date | null;
  details_sealed: string;
}

/** Payees: their auto-redeem choice, threshold, payout account and holds (docs/payout-rules.md). */
@Injectable()
export class PayeesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly balances: PayableBalances,
    private readonly sealer: PayoutAccountSealer,
    private readonly stripe: StripeTransferRail,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  async get(payee: Payee, manager: EntityManager = this.dataSource.manager): Promise<PayeeDto> {
    const [row] = (await manager.query(
      'SELECT auto_redeem, threshold_minor::text AS threshold_minor FROM payees WHERE payee = $1',
      [payee.key],
    )) as { auto_redeem: boolean; threshold_minor: string | null }[];
    const account = await this.activeAccount(manager, payee.key);
    const holds = (await manager.query(
      `SELECT id, reason, note, placed_at FROM holds WHERE payee = $1 AND released_at IS NULL ORDER BY placed_at`,
      [payee.key],
    )) as { id: string; reason: string; note: string; placed_at: Date }[];
    const inFlight = (await manager.query(
      `SELECT currency, sum(amount_minor)::text AS amount FROM payouts
        WHERE payee = $1 AND state IN ('scheduled', 'submitting', 'submitted') GROUP BY currency`,
      [payee.key],
    )) as { currency: string; amount: string }[];
    const ownThreshold = row?.threshold_minor ?? null;
    const standing: PayeeStanding = {
      ownThresholdMinor: ownThreshold === null ? null : BigInt(ownThreshold),
      account: account && { id: account.id, rail: account.rail, status: account.status },
      holdReason: holds[0]?.reason ?? null,
    };
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
      autoRedeem: row?.auto_redeem ?? true,
      thresholdMinor: ownThreshold,
      payoutAccount: account ? accountDto(account) : null,
      holds: holds.map((hold) => ({
        id: hold.id,
        reason: hold.reason,
        note: hold.note,
        placedAt: hold.placed_at.toISOString(),
      })),
      balances: payable.map((balance) => ({
        currency: balance.currency,
        payableMinor: balance.amountMinor.toString(),
        thresholdMinor: thresholdOf(balance.currency).toString(),
        inFlightMinor: inFlight.find((entry) => entry.currency === balance.currency)?.amount ?? '0',
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
      await ensurePayee(manager, payee.key);
      const [before] = (await manager.query('SELECT auto_redeem FROM payees WHERE payee = $1 FOR UPDATE', [
        payee.key,
      ])) as { auto_redeem: boolean }[];
      if (change.thresholdMinor !== undefined)
        await manager.query('UPDATE payees SET threshold_minor = $2, updated_at = now() WHERE payee = $1', [
          payee.key,
          change.thresholdMinor,
        ]);
      if (change.autoRedeem !== undefined && change.autoRedeem !== before?.auto_redeem) {
        const [updated] = (await manager.query(
          'UPDATE payees SET auto_redeem = $2, updated_at = now() WHERE payee = $1 RETURNING updated_at',
          [payee.key, change.autoRedeem],
        )) as [{ updated_at: Date }[], number];
        await this.outbox.append(manager, [
          createEvent(
            PayeePreferencesChangedV1,
            {
              payee: payee.key,
              autoRedeem: change.autoRedeem,
              changedAt: (updated[0] as { updated_at: Date }).updated_at.toISOString(),
            },
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
        : { verified: false, reason: 'awaiting_admin_verification' };
    const id = randomUUID();
    return this.dataSource.transaction(async (manager) => {
      await ensurePayee(manager, payee.key);
      await manager.query('SELECT payee FROM payees WHERE payee = $1 FOR UPDATE', [payee.key]);
      await manager.query('UPDATE payout_accounts SET active = false WHERE payee = $1 AND active', [
        payee.key,
      ]);
      const [row] = (await manager.query(
        `INSERT INTO payout_accounts (id, payee, rail, details_sealed, display, status, status_reason, active, verified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, CASE WHEN $6 = 'verified' THEN now() END) RETURNING *`,
        [
          id,
          payee.key,
          destination.rail,
          this.sealer.seal(id, destination),
          displayOf(destination),
          check.verified ? 'verified' : 'unverified',
          check.verified ? null : check.reason,
        ],
      )) as AccountRow[];
      return accountDto(row as AccountRow);
    });
  }

  /** Admin: checks the active account again (Stripe) or attests it (bank, e.g. after a confirmed test transfer). */
  async verifyPayoutAccount(payee: Payee): Promise<PayoutAccountDto> {
    const account = await this.activeAccount(this.dataSource.manager, payee.key);
    if (!account)
      throw PayoutsError.notFound('payout_account_not_found', `${payee.key} has no payout account`);
    const destination = this.sealer.unseal(account.id, account.details_sealed);
    const check =
      destination.rail === 'stripe'
        ? await answeringRailErrors(() => this.stripe.checkAccount(destination.accountId))
        : { verified: true, reason: null };
    const [rows] = (await this.dataSource.query(
      `UPDATE payout_accounts SET status = $2, status_reason = $3, verified_at = CASE WHEN $2 = 'verified' THEN now() END
        WHERE id = $1 AND active RETURNING *`,
      [account.id, check.verified ? 'verified' : 'unverified', check.verified ? null : check.reason],
    )) as [AccountRow[], number];
    const updated = rows[0];
    if (!updated)
      throw PayoutsError.conflict(
        'payout_account_replaced',
        'the payout account changed meanwhile; verify again',
      );
    return accountDto(updated);
  }

  async placeHold(payee: Payee, hold: { reason: string; note: string }, placedBy: string): Promise<HoldDto> {
    return this.dataSource.transaction(async (manager) => {
      await ensurePayee(manager, payee.key);
      const [row] = (await manager.query(
        `INSERT INTO holds (id, payee, reason, note, placed_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, reason, note, placed_at`,
        [randomUUID(), payee.key, hold.reason, hold.note, placedBy],
      )) as { id: string; reason: string; note: string; placed_at: Date }[];
      const placed = row as { id: string; reason: string; note: string; placed_at: Date };
      return {
        id: placed.id,
        reason: placed.reason,
        note: placed.note,
        placedAt: placed.placed_at.toISOString(),
      };
    });
  }

  async releaseHold(payee: Payee, holdId: string, releasedBy: string): Promise<void> {
    const [rows] = (await this.dataSource.query(
      `UPDATE holds SET released_at = now(), released_by = $3 WHERE id = $1 AND payee = $2 AND released_at IS NULL
       RETURNING id`,
      [holdId, payee.key, releasedBy],
    )) as [{ id: string }[], number];
    if (rows.length === 0)
      throw PayoutsError.notFound('hold_not_found', `no active hold ${holdId} on ${payee.key}`);
  }

  private async activeAccount(manager: EntityManager, payee: string): Promise<AccountRow | null> {
    const [row] = (await manager.query(`SELECT * FROM payout_accounts WHERE payee = $1 AND active`, [
      payee,
    ])) as AccountRow[];
    return row ?? null;
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

function accountDto(row: AccountRow): PayoutAccountDto {
  return {
    id: row.id,
    rail: row.rail,
    display: row.display,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at.toISOString(),
    verifiedAt: row.verified_at?.toISOString() ?? null,
  };
}
