import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { TreasuryAccount } from './accounts.js';
import { defaultPrice, higherPrice, INITIAL_PRICE, type Price } from './treasury-math.js';

interface PriceRow {
  num: string;
  den: string;
}

const toPrice = (row: PriceRow): Price => ({ num: BigInt(row.num), den: BigInt(row.den) });

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

  /** The highest price fixed so far (the initial price when none is): what outstanding tokens are valued at. */
  async highest(manager: EntityManager): Promise<Price> {
    const rows = (await manager.query(
      'SELECT num::text AS num, den::text AS den FROM period_prices',
    )) as PriceRow[];
    return rows.map(toPrice).reduce(higherPrice, INITIAL_PRICE);
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
