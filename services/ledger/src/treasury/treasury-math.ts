/**
 * The treasury's arithmetic (docs/money-rules.md), pure and integer-only: prices are rationals `num/den` in minor
 * units of the treasury currency per CC; tokens are uCC (1 CC = 1,000,000 uCC).
 */
export const UCC_PER_CC = 1_000_000n;
export const BPS_SCALE = 10_000n;

export interface Price {
  /** Minor units … */
  readonly num: bigint;
  /** … per `den` CC. Both positive. */
  readonly den: bigint;
}

/** The default initial price: 1 CC = 1 minor unit. */
export const INITIAL_PRICE: Price = { num: 1n, den: 1n };

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

export function reducedPrice(num: bigint, den: bigint): Price {
  if (num <= 0n || den <= 0n) throw new RangeError(`a price is positive, not ${num}/${den}`);
  const divisor = gcd(num, den);
  return { num: num / divisor, den: den / divisor };
}

/** -1, 0 or 1 as `a` is lower than, equal to or higher than `b`. */
export function comparePrices(a: Price, b: Price): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

export const higherPrice = (a: Price, b: Price): Price => (comparePrices(a, b) >= 0 ? a : b);

/**
 * The default price policy: 1 CC = 1 minor unit while no token is outstanding, else reserve / outstanding
 * (the reserve fully backs the outstanding tokens). `outstanding` is in uCC, so the price per CC is
 * reserve * 1e6 / outstanding.
 */
export function defaultPrice(reserve: bigint, outstanding: bigint): Price {
  if (outstanding <= 0n || reserve <= 0n) return INITIAL_PRICE;
  return reducedPrice(reserve * UCC_PER_CC, outstanding);
}

export interface Mint {
  /** What stays in the reserve without minting: floor(F * reserveBps / 10000). */
  readonly retained: bigint;
  /** F_mint = F - retained: the part of the payment that buys tokens. */
  readonly minting: bigint;
  /** floor(F_mint * 1e6 * den / num) uCC. */
  readonly tokens: bigint;
}

export function mintFor(payment: bigint, price: Price, reserveBps: bigint): Mint {
  if (payment < 0n) throw new RangeError(`a payment is not negative: ${payment}`);
  if (reserveBps < 0n || reserveBps > BPS_SCALE) throw new RangeError(`bps out of range: ${reserveBps}`);
  const retained = (payment * reserveBps) / BPS_SCALE;
  const minting = payment - retained;
  return { retained, minting, tokens: (minting * UCC_PER_CC * price.den) / price.num };
}

/** What redeeming `tokens` uCC pays at `price`: floor(t * num / (den * 1e6)); the rest stays in the reserve. */
export function redemptionValue(tokens: bigint, price: Price): bigint {
  if (tokens < 0n) throw new RangeError(`tokens are not negative: ${tokens}`);
  return (tokens * price.num) / (price.den * UCC_PER_CC);
}

/**
 * What taking back `tokens` uCC that were redeemed costs at `price`: `ceil(t * num / (den * 1e6))`. A debit rounds
 * up where a redemption rounds down, so re-issued tokens are always backed at the price (the reserve invariant).
 */
export function buyBackValue(tokens: bigint, price: Price): bigint {
  if (tokens < 0n) throw new RangeError(`tokens are not negative: ${tokens}`);
  const scale = price.den * UCC_PER_CC;
  return (tokens * price.num + scale - 1n) / scale;
}

export interface ReserveState {
  /** Currency held by `treasury:reserve`, minor units. */
  readonly reserve: bigint;
  /** Positive uCC balances of every token holder (escrows and participants; not `treasury:issued`). */
  readonly holdings: readonly bigint[];
  /** The price at which outstanding tokens are valued: the highest price the treasury has fixed. */
  readonly price: Price;
}

export interface ReserveProof {
  readonly reserve: bigint;
  readonly outstanding: bigint;
  /** Sum of what each holder's tokens redeem for at the price. */
  readonly claims: bigint;
  /** reserve - claims: currency no token claims (rounding, and retained reserveBps not yet in a price). */
  readonly residue: bigint;
  readonly holds: boolean;
}

/**
 * The reserve invariant: `reserve == sum of what outstanding tokens redeem for + rounding residue`, with a
 * residue that is never negative (else some holder could not be paid).
 */
export function proveReserve(state: ReserveState): ReserveProof {
  let outstanding = 0n;
  let claims = 0n;
  for (const holding of state.holdings) {
    outstanding += holding;
    claims += redemptionValue(holding, state.price);
  }
  const residue = state.reserve - claims;
  return { reserve: state.reserve, outstanding, claims, residue, holds: residue >= 0n };
}

/**
 * A sufficient O(1) form of the invariant for use after every operation: reserve ≥ outstanding × price
 * implies reserve ≥ the sum of the floored claims.
 */
export function reserveCovers(reserve: bigint, outstanding: bigint, price: Price): boolean {
  return reserve * price.den * UCC_PER_CC >= outstanding * price.num;
}

export const lowerPrice = (a: Price, b: Price): Price => (comparePrices(a, b) <= 0 ? a : b);
