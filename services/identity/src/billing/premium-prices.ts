import { z } from 'zod';

/** The premium plan's monthly fee per currency, in minor units: `EUR:500,USD:500`. */
export type PremiumPrices = ReadonlyMap<string, bigint>;

const ENTRY = /^([A-Z]{3}):([1-9]\d{0,12})$/;

/** `PREMIUM_PRICES`: comma-separated `CUR:minorUnits`, each currency once, integers only. */
export function premiumPricesVar(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((raw, context) => {
      const prices = new Map<string, bigint>();
      for (const entry of raw.split(',').map((part) => part.trim())) {
        const match = ENTRY.exec(entry);
        if (!match) {
          context.addIssue({
            code: 'custom',
            message: `"${entry}" is not CUR:amount (ISO 4217 code, a positive integer of minor units), e.g. EUR:500`,
          });
          return z.NEVER;
        }
        if (prices.has(match[1]!)) {
          context.addIssue({ code: 'custom', message: `${match[1]} is priced twice` });
          return z.NEVER;
        }
        prices.set(match[1]!, BigInt(match[2]!));
      }
      return prices as PremiumPrices;
    });
}
