import { Injectable } from '@nestjs/common';
import {
  type AllocationInput,
  escrowAccount,
  memberAccount,
  type PeriodAllocation,
  weightedSplit,
} from '@onecommons/allocation';
import {
  type CloudEvent,
  createEvent,
  EscrowReleasedV1,
  periodOf,
  periodStart,
  TokensRedeemedV1,
} from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { isPayeeAccount } from '../treasury/accounts.js';
import { PeriodPrices } from '../treasury/period-prices.js';
import { redemptionValue } from '../treasury/treasury-math.js';
import { Treasury } from '../treasury/treasury.js';
import { CloseSettlementRepository } from './close-settlement.repository.js';
import { PayeePreferences } from './payee-preferences.js';

/** docs/money-rules.md step 4: an escrow unclaimed for this many periods goes to the general fund. */
export const UNCLAIMED_ESCROW_PERIODS = 12;

const GENERAL_FUND = 'fund:general';
const SOURCE = { source: '/onecommons/ledger' };

/** The period `count` periods before `period`. */
export function periodsBefore(period: string, count: number): string {
  const start = periodStart(period);
  return periodOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - count, 1)));
}

/**
 * What a close does after posting the allocation, in its transaction: releases project escrows (to members
 * once a project has some, to the fund once unclaimed for 12 periods), then redeems every auto-redeeming
 * participant's tokens into currency payable to it. Returns the events to announce before the close itself.
 */
@Injectable()
export class CloseSettlement {
  constructor(
    private readonly journal: LedgerJournal,
    private readonly treasury: Treasury,
    private readonly prices: PeriodPrices,
    private readonly preferences: PayeePreferences,
    private readonly rows: CloseSettlementRepository,
  ) {}

  async settleWithin(
    manager: EntityManager,
    input: Pick<AllocationInput, 'period' | 'projects'>,
    allocation: PeriodAllocation,
  ): Promise<CloudEvent<unknown>[]> {
    const released = await this.releaseEscrows(manager, input);
    const redeemed = await this.redeem(manager, input.period, allocation, released.recipients);
    return [...released.events, ...redeemed];
  }

  private async releaseEscrows(
    manager: EntityManager,
    input: Pick<AllocationInput, 'period' | 'projects'>,
  ): Promise<{ events: CloudEvent<unknown>[]; recipients: string[] }> {
    const escrows = await this.rows.escrowsHoldingTokens(manager);
    const events: CloudEvent<unknown>[] = [];
    const recipients: string[] = [];
    for (const escrow of escrows) {
      const projectId = escrow.account.slice('escrow:'.length);
      const balance = escrow.tokens;
      const members = (input.projects.find((project) => project.id === projectId)?.members ?? []).filter(
        (member) => member.weight > 0n,
      );
      const release =
        members.length > 0
          ? {
              reason: 'members_registered' as const,
              tokens: balance,
              to: weightedSplit(
                balance,
                members.map((member) => ({ key: memberAccount(member.id), weight: member.weight })),
              ).map((tokens, index) => ({
                account: memberAccount((members[index] as { id: string }).id),
                tokens,
              })),
            }
          : await this.expiredPart(manager, input.period, projectId, balance);
      if (!release) continue;
      const to = release.to.filter((share) => share.tokens > 0n);
      await this.journal.post(manager, {
        key: `escrow-release:${input.period}:${projectId}`,
        kind: 'escrow_release',
        period: input.period,
        memo: { project: projectId, reason: release.reason, tokens: release.tokens.toString() },
        postings: [
          { account: escrow.account, unit: TOKEN_UNIT, amount: -release.tokens },
          ...to.map((share) => ({ account: share.account, unit: TOKEN_UNIT, amount: share.tokens })),
        ],
      });
      recipients.push(...to.map((share) => share.account));
      events.push(
        createEvent(
          EscrowReleasedV1,
          {
            projectId,
            period: input.period,
            reason: release.reason,
            tokens: release.tokens.toString(),
            recipients: to.map((share) => ({ account: share.account, tokens: share.tokens.toString() })),
          },
          SOURCE,
        ) as CloudEvent<unknown>,
      );
    }
    return { events, recipients };
  }

  /** What of a memberless project's escrow came from closes 12 or more periods back: the fund's now (FIFO). */
  private async expiredPart(manager: EntityManager, period: string, projectId: string, balance: bigint) {
    const recent = await this.rows.allocatedToEscrow(
      manager,
      escrowAccount(projectId),
      periodsBefore(period, UNCLAIMED_ESCROW_PERIODS),
      period,
    );
    const expired = balance - recent;
    if (expired <= 0n) return null;
    return {
      reason: 'unclaimed_expired' as const,
      tokens: expired,
      to: [{ account: GENERAL_FUND, tokens: expired }],
    };
  }

  private async redeem(
    manager: EntityManager,
    period: string,
    allocation: PeriodAllocation,
    released: readonly string[],
  ): Promise<CloudEvent<unknown>[]> {
    const price = await this.prices.redemptionPrice(manager, period);
    if (!price) return []; // nothing was paid for the period: held tokens wait for a priced close
    const optedOut = await this.preferences.optedOut(manager);
    const allocated = new Map(allocation.allocations.map((row) => [row.account, row.amount]));
    const holders = [
      ...new Set([...allocated.keys(), ...released, ...(await this.preferences.optedIn(manager))]),
    ]
      .filter((holder) => isPayeeAccount(holder) && !optedOut.has(holder))
      .sort();
    const events: CloudEvent<unknown>[] = [];
    for (const holder of holders) {
      const tokens = await this.journal.balance(manager, holder, TOKEN_UNIT);
      // Below one minor unit the tokens stay tokens: redeeming them would pay nothing for them.
      if (redemptionValue(tokens, price) === 0n) continue;
      const key = `redeem:${period}:${holder}`;
      const { paid } = await this.treasury.redeem(manager, { key, holder, period, tokens });
      events.push(
        createEvent(
          TokensRedeemedV1,
          {
            redemptionKey: key,
            holder,
            period,
            tokens: tokens.toString(),
            allocatedTokens: (allocated.get(holder) ?? 0n).toString(),
            amountMinor: paid.toString(),
            currency: this.treasury.currency,
            price: { num: price.num.toString(), den: price.den.toString() },
            merkleRoot: allocation.merkleRoot,
          },
          SOURCE,
        ) as CloudEvent<unknown>,
      );
    }
    return events;
  }
}
