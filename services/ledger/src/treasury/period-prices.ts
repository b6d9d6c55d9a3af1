import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { TreasuryAccount } from './accounts.js';
import { defaultPrice, higherPrice, INITIAL_PRICE, lowerPrice, type Price } from './treasury-math.js';

interface PriceRow {
  num: string;
  den: string;
}

const toPrice = (row: PriceRow): Price => ({ num: BigInt(row.num), den: BigInt(row.den) });

/** Runs one SQL query in the caller's transaction or snapshot (an EntityManager, or `verify`'s pg client). */
export type PriceQuery = (sql: string, parameters: unknown[]) => Promise<unknown[]>;

/**
 * The price outstanding tokens are valued at: the highest price fixed since the last price cut (a loss the
 * reserve bore), the cut itself included; with no cut, the highest ever fixed (the initial price when none
 * is). Cuts and fixes are ordered by the journal transactions that made them; a price fixed by a mint not
 * posted yet (in the caller's transaction) is the newest.
 */
export async function valuationPrice(query: PriceQuery): Promise<Price> {
  const rows = (await query(
    `WITH last_cut AS (
       SELECT c.num, c.den, t.seq FROM price_cuts c JOIN ledger_transactions t ON t.key = c.cut_by
        ORDER BY t.seq DESC LIMIT 1)
     SELECT true AS cut, num::text AS num, den::text AS den FROM last_cut
     UNION ALL
     SELECT false, p.num::text, p.den::text FROM period_prices p LEFT JOIN ledger_transactions t ON t.key = p.fixed_by
      WHERE NOT EXISTS (SELECT 1 FROM last_cut) OR t.seq IS NULL OR t.seq > (SELECT seq FROM last_cut)`,
    [],
  )) as (PriceRow & { cut: boolean })[];
  const cut = rows.find((row) => row.cut);
  return rows
    .filter((row) => !row.cut)
    .map(toPrice)
    .reduce(higherPrice, cut ? toPrice(cut) : INITIAL_PRICE);
}

/** Each period's price, fixed once by the default policy when the period's first payment is minted. */
@Injectable()
export class PeriodPrices {
  async of(manager: EntityManager, period: string): Promise<Price | undefined> {
    const [row] = (await manager.query(
      'SELECT num::text AS num, den::text AS den FROM period_prices WHERE period = $1',
      [period],
    )) as PriceRow[];
    return row ? toPrice(row) : undefined;
  }

  /** What outstanding tokens are valued at (`valuationPrice`). */
  valuation(manager: EntityManager): Promise<Price> {
    return valuationPrice((sql, parameters) => manager.query(sql, parameters) as Promise<unknown[]>);
  }

  /** The price a period's tokens redeem at: its own, unless a loss since cut the valuation below it. */
  async redemptionPrice(manager: EntityManager, period: string): Promise<Price | undefined> {
    const fixed = await this.of(manager, period);
    return fixed && lowerPrice(fixed, await this.valuation(manager));
  }

  /** Records a price cut made by the journal transaction `cutBy` (posted in the caller's transaction). */
  async recordCut(
    manager: EntityManager,
    cut: {
      readonly cutBy: string;
      readonly price: Price;
      readonly reserve: bigint;
      readonly outstanding: bigint;
    },
  ): Promise<void> {
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

  /** The period's price; fixes it from the reserve and the tokens outstanding now if it has none. Call under the journal lock. */
  async fixOnFirstMint(
    manager: EntityManager,
    period: string,
    context: { readonly currency: string; readonly fixedBy: string },
  ): Promise<Price> {
    const fixed = await this.of(manager, period);
    if (fixed) return fixed;
    const [basis] = (await manager.query(
      `SELECT coalesce((SELECT balance FROM ledger_balances WHERE account = $1 AND unit = $2), 0)::text AS reserve,
              coalesce((SELECT -balance FROM ledger_balances WHERE account = $3 AND unit = $4), 0)::text AS outstanding`,
      [TreasuryAccount.reserve, context.currency, TreasuryAccount.issued, TOKEN_UNIT],
    )) as { reserve: string; outstanding: string }[];
    const reserve = BigInt(basis?.reserve ?? '0');
    const outstanding = BigInt(basis?.outstanding ?? '0');
    const price = defaultPrice(reserve, outstanding);
    await manager.query(
      `INSERT INTO period_prices (period, num, den, policy, basis_reserve, basis_outstanding, fixed_by)
       VALUES ($1, $2, $3, 'reserve-per-outstanding', $4, $5, $6)`,
      [
        period,
        price.num.toString(),
        price.den.toString(),
        reserve.toString(),
        outstanding.toString(),
        context.fixedBy,
      ],
    );
    return price;
  }
}
