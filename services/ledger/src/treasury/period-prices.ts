import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { defaultPrice, higherPrice, INITIAL_PRICE, lowerPrice, type Price } from './treasury-math.js';
import { type PriceCut, TreasuryRepository, type ValuationCandidate } from './treasury.repository.js';

/**
 * The price outstanding tokens are valued at, from `TreasuryRepository.valuationCandidates`: the highest price
 * fixed since the last price cut (a loss the reserve bore), the cut itself included; with no cut, the highest ever
 * fixed (the initial price when none is). Cuts and fixes are ordered by the journal transactions that made them;
 * a price fixed by a mint not posted yet (in the caller's transaction) is the newest.
 */
export function valuationOf(candidates: readonly ValuationCandidate[]): Price {
  const cut = candidates.find((candidate) => candidate.cut);
  return candidates
    .filter((candidate) => !candidate.cut)
    .map((candidate) => candidate.price)
    .reduce(higherPrice, cut ? cut.price : INITIAL_PRICE);
}

/** Each period's price, fixed once by the default policy when the period's first payment is minted. */
@Injectable()
export class PeriodPrices {
  constructor(private readonly rows: TreasuryRepository) {}

  async of(manager: EntityManager, period: string): Promise<Price | undefined> {
    return (await this.rows.priceOf(manager, period)) ?? undefined;
  }

  /** What outstanding tokens are valued at (`valuationOf`). */
  async valuation(manager: EntityManager): Promise<Price> {
    return valuationOf(await this.rows.valuationCandidates(manager));
  }

  /** The price a period's tokens redeem at: its own, unless a loss since cut the valuation below it. */
  async redemptionPrice(manager: EntityManager, period: string): Promise<Price | undefined> {
    const fixed = await this.of(manager, period);
    return fixed && lowerPrice(fixed, await this.valuation(manager));
  }

  /** Records a price cut made by the journal transaction `cutBy` (posted in the caller's transaction). */
  async recordCut(manager: EntityManager, cut: PriceCut): Promise<void> {
    await this.rows.recordCut(manager, cut);
  }

  /** The period's price; fixes it from the reserve and the tokens outstanding now if it has none. Call under the journal lock. */
  async fixOnFirstMint(
    manager: EntityManager,
    period: string,
    context: { readonly currency: string; readonly fixedBy: string },
  ): Promise<Price> {
    const fixed = await this.of(manager, period);
    if (fixed) return fixed;
    const basis = (await this.rows.priceBasis(manager, context.currency)) ?? { reserve: 0n, outstanding: 0n };
    const price = defaultPrice(basis.reserve, basis.outstanding);
    await this.rows.fixPrice(manager, { period, price, basis, fixedBy: context.fixedBy });
    return price;
  }
}
