import { Injectable } from '@nestjs/common';
import { bigintText, type Queryable, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { TreasuryAccount } from './accounts.js';
import { type Price } from './treasury-math.js';

/** A price the valuation is chosen among: the last cut, or a period's price fixed since (all of them if none). */
export interface ValuationCandidate {
  readonly cut: boolean;
  readonly price: Price;
}

/** The reserve and the tokens outstanding a price is computed from. */
export interface PriceBasis {
  readonly reserve: bigint;
  readonly outstanding: bigint;
}

export interface FixedPrice {
  readonly period: string;
  readonly price: Price;
  readonly basis: PriceBasis;
  /** The journal transaction that fixed it (the period's first mint). */
  readonly fixedBy: string;
}

export interface PriceCut {
  readonly cutBy: string;
  readonly price: Price;
  readonly reserve: bigint;
  readonly outstanding: bigint;
}

/** The treasury's gauges, as one snapshot reads them. */
export interface TreasurySnapshot {
  readonly reserve: bigint;
  readonly supply: bigint;
  readonly redeemable: bigint;
  /** The oldest period with tokens or usage that is not closed; null when there is none. */
  readonly oldestOpen: string | null;
}

const priceRow = z
  .object({ num: bigintText, den: bigintText })
  .transform((row): Price => ({ num: row.num, den: row.den }));

const valuationCandidateRow = z
  .object({ cut: z.boolean(), num: bigintText, den: bigintText })
  .transform((row): ValuationCandidate => ({ cut: row.cut, price: { num: row.num, den: row.den } }));

const priceBasisRow = z.object({ reserve: bigintText, outstanding: bigintText });

const snapshotRow = z
  .object({
    reserve: bigintText,
    supply: bigintText,
    redeemable: bigintText,
    oldest_open: z.string().nullable(),
  })
  .transform((row): TreasurySnapshot => ({
    reserve: row.reserve,
    supply: row.supply,
    redeemable: row.redeemable,
    oldestOpen: row.oldest_open,
  }));

/**
 * The treasury's tables: period_prices (each period's price, fixed once), price_cuts (losses that cut the
 * valuation) and subscriber_tokens (what each subscriber's fees minted per period); and its reads of the balances.
 */
@Injectable()
export class TreasuryRepository {
  async priceOf(manager: EntityManager, period: string): Promise<Price | null> {
    const [price] = await queryRows(
      manager,
      {
        name: 'treasury.priceOf',
        row: priceRow,
        sql: 'SELECT num::text AS num, den::text AS den FROM period_prices WHERE period = $1',
      },
      [period],
    );
    return price ?? null;
  }

  /**
   * The last price cut (ordered by the journal transactions that made them) and every price fixed after it, or
   * every price when there is no cut; a price fixed by a mint not posted yet (in the caller's transaction) is
   * among them. `db` is the caller's transaction or snapshot.
   */
  async valuationCandidates(db: Queryable): Promise<ValuationCandidate[]> {
    return queryRows(
      db,
      {
        name: 'treasury.valuationCandidates',
        row: valuationCandidateRow,
        sql: `WITH last_cut AS (
       SELECT c.num, c.den, t.seq FROM price_cuts c JOIN ledger_transactions t ON t.key = c.cut_by
        ORDER BY t.seq DESC LIMIT 1)
     SELECT true AS cut, num::text AS num, den::text AS den FROM last_cut
     UNION ALL
     SELECT false, p.num::text, p.den::text FROM period_prices p LEFT JOIN ledger_transactions t ON t.key = p.fixed_by
      WHERE NOT EXISTS (SELECT 1 FROM last_cut) OR t.seq IS NULL OR t.seq > (SELECT seq FROM last_cut)`,
      },
      [],
    );
  }

  /** The reserve's balance in the currency and the tokens outstanding (the negated balance of `treasury:issued`). */
  async priceBasis(manager: EntityManager, currency: string): Promise<PriceBasis | null> {
    const [basis] = await queryRows(
      manager,
      {
        name: 'treasury.priceBasis',
        row: priceBasisRow,
        sql: `SELECT coalesce((SELECT balance FROM ledger_balances WHERE account = $1 AND unit = $2), 0)::text AS reserve,
              coalesce((SELECT -balance FROM ledger_balances WHERE account = $3 AND unit = $4), 0)::text AS outstanding`,
      },
      [TreasuryAccount.reserve, currency, TreasuryAccount.issued, TOKEN_UNIT],
    );
    return basis ?? null;
  }

  async fixPrice(manager: EntityManager, fixed: FixedPrice): Promise<void> {
    await manager.query(
      `INSERT INTO period_prices (period, num, den, policy, basis_reserve, basis_outstanding, fixed_by)
       VALUES ($1, $2, $3, 'reserve-per-outstanding', $4, $5, $6)`,
      [
        fixed.period,
        fixed.price.num.toString(),
        fixed.price.den.toString(),
        fixed.basis.reserve.toString(),
        fixed.basis.outstanding.toString(),
        fixed.fixedBy,
      ],
    );
  }

  async recordCut(manager: EntityManager, cut: PriceCut): Promise<void> {
    await manager.query(
      `INSERT INTO price_cuts (cut_by, num, den, basis_reserve, basis_outstanding) VALUES ($1, $2, $3, $4, $5)`,
      [
        cut.cutBy,
        cut.price.num.toString(),
        cut.price.den.toString(),
        cut.reserve.toString(),
        cut.outstanding.toString(),
      ],
    );
  }

  /** Adds tokens a payment minted to the subscriber's tokens of the period. */
  async addSubscriberTokens(
    manager: EntityManager,
    period: string,
    subscriberId: string,
    tokens: bigint,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO subscriber_tokens (period, subscriber_id, tokens) VALUES ($1, $2, $3)
         ON CONFLICT (period, subscriber_id) DO UPDATE SET tokens = subscriber_tokens.tokens + EXCLUDED.tokens`,
      [period, subscriberId, tokens.toString()],
    );
  }

  /**
   * The reserve in the currency, the token supply, what the holders' tokens redeem for at the price (floor per
   * holder) and the oldest period not closed.
   */
  async snapshot(manager: EntityManager, currency: string, price: Price): Promise<TreasurySnapshot | null> {
    const [snapshot] = await queryRows(
      manager,
      {
        name: 'treasury.snapshot',
        row: snapshotRow,
        sql: `SELECT
           coalesce((SELECT balance FROM ledger_balances WHERE account = $1 AND unit = $2), 0)::text AS reserve,
           coalesce((SELECT -balance FROM ledger_balances WHERE account = $3 AND unit = 'uCC'), 0)::text AS supply,
           coalesce((SELECT sum(floor(balance * $4::numeric / ($5::numeric * 1000000))) FROM ledger_balances
                      WHERE unit = 'uCC' AND balance > 0 AND account <> $3), 0)::text AS redeemable,
           (SELECT min(period) FROM (SELECT period FROM subscriber_tokens UNION SELECT period FROM usage_quantities) p
             WHERE period NOT IN (SELECT period FROM period_closes)) AS oldest_open`,
      },
      [TreasuryAccount.reserve, currency, TreasuryAccount.issued, price.num.toString(), price.den.toString()],
    );
    return snapshot ?? null;
  }
}
