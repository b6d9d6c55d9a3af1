/** ISO 4217 minor-unit exponents of the currencies a payout can be in. */
const MINOR_UNIT_EXPONENTS: Readonly<Record<string, number>> = {
  BGN: 2,
  CHF: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HUF: 2,
  NOK: 2,
  PLN: 2,
  RON: 2,
  SEK: 2,
  USD: 2,
  ISK: 0,
  JPY: 0,
  BHD: 3,
  JOD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
};

/** How many decimal places a currency's minor unit has (EUR 2, JPY 0, KWD 3); throws for an unknown code. */
export function minorUnitExponent(currency: string): number {
  const exponent = MINOR_UNIT_EXPONENTS[currency];
  if (exponent === undefined) throw new RangeError(`no ISO 4217 minor-unit exponent known for ${currency}`);
  return exponent;
}

/** `12345n` at exponent 2 → `"123.45"`; exponent 0 → `"12345"`. Integer arithmetic only. */
export function decimalOf(amountMinor: bigint, exponent: number): string {
  if (amountMinor < 0n) return `-${decimalOf(-amountMinor, exponent)}`;
  if (exponent === 0) return amountMinor.toString();
  const digits = amountMinor.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
