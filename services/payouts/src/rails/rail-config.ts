import { urlVar } from '@onecommons/config';
import { z } from 'zod';
import { validateBic, validateIban } from './bank-account.js';

/** Documentation's example account (Commerzbank): a valid IBAN and BIC that no dev file can pay from. */
const DEV_DEBTOR_IBAN = 'DE89370400440532013000';
const DEV_DEBTOR_BIC = 'COBADEFFXXX';

function ibanVar(fallback: string) {
  return z
    .string()
    .refine((value) => validateIban(value).valid, {
      error: 'must be the IBAN of a SEPA country (length and mod-97 check digits)',
    })
    .transform((value) => value.replace(/ /g, '').toUpperCase())
    .prefault(fallback);
}

function bicVar(fallback: string) {
  return z
    .string()
    .refine((value) => validateBic(value).valid, { error: 'must be a BIC of 8 or 11 characters' })
    .transform((value) => value.trim().toUpperCase())
    .prefault(fallback);
}

/** The rails' environment, merged into payouts' config schema. */
export const railConfigShape = {
  /** Stripe's API (host, port and protocol of the SDK); `./dev` and tests point it at the local fake. */
  STRIPE_API_BASE: urlVar(['http', 'https']).optional(),
  STRIPE_SECRET_KEY: z.string({ error: 'is required' }).regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
    error: 'must be a Stripe secret key (sk_test_…/sk_live_…)',
  }),
  /** The platform's own account that bank-file payouts are paid from. */
  PAYOUTS_BANK_DEBTOR_NAME: z.string().trim().min(1).max(70).default('OneCommons'),
  PAYOUTS_BANK_DEBTOR_IBAN: ibanVar(DEV_DEBTOR_IBAN),
  PAYOUTS_BANK_DEBTOR_BIC: bicVar(DEV_DEBTOR_BIC),
} satisfies z.ZodRawShape;
