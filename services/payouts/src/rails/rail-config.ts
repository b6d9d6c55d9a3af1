import { urlVar } from '@onecommons/config';
import { z } from 'zod';
import { type AccountIdCheck, validateBic, validateIban } from './bank-account.js';

/** Documentation's example account (Commerzbank): a valid IBAN and BIC that no dev file can pay from. */
const DEV_DEBTOR_IBAN = 'DE89370400440532013000';
const DEV_DEBTOR_BIC = 'COBADEFFXXX';

/** A config value checked by one of bank-account's checks, and given in the form it returns. */
function accountIdVar(check: (input: string) => AccountIdCheck, error: string, fallback: string) {
  return z
    .string()
    .transform((input, context) => {
      const checked = check(input);
      if (checked.valid) return checked.value;
      context.addIssue({ code: 'custom', message: `${error} (${checked.reason})` });
      return z.NEVER;
    })
    .prefault(fallback);
}

const ibanVar = (fallback: string) =>
  accountIdVar(validateIban, 'must be the IBAN of a SEPA country, with valid check digits', fallback);
const bicVar = (fallback: string) =>
  accountIdVar(validateBic, 'must be a BIC of 8 or 11 characters', fallback);

/** The rails' environment, merged into payouts' config schema. */
export const railConfigShape = {
  STRIPE_API_BASE: urlVar(['http', 'https'])
    .optional()
    .meta({
      description:
        "Stripe's API (host, port and protocol of the SDK); `./dev` and tests point it at the local fake. " +
        "Unset: Stripe's own.",
    }),
  STRIPE_SECRET_KEY: z
    .string({ error: 'is required' })
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
      error: 'must be a Stripe secret key (sk_test_…/sk_live_…)',
    })
    .meta({
      description: 'The Stripe API key of the platform account that Connect transfers are made from.',
    }),
  STRIPE_CONNECT_WEBHOOK_SECRET: z
    .string({ error: 'is required' })
    .regex(/^whsec_[A-Za-z0-9+/=_-]+$/, { error: 'must be a Stripe webhook signing secret (whsec_…)' })
    .meta({
      description:
        "The signing secret of the platform's Stripe Connect webhook endpoint (events of connected accounts, " +
        'sent to `/api/payouts/v1/stripe/connect-webhook`): `account.updated` verifies onboarded payout accounts.',
    }),
  PAYOUTS_BANK_DEBTOR_NAME: z
    .string()
    .trim()
    .min(1)
    .max(70)
    .default('OneCommons')
    .meta({ description: "The name of the platform's own account that bank-file payouts are paid from." }),
  PAYOUTS_BANK_DEBTOR_IBAN: ibanVar(DEV_DEBTOR_IBAN).meta({
    description:
      "The IBAN of that account (a SEPA country's, with valid check digits). The default is " +
      "documentation's example account: set it in any real deployment.",
  }),
  PAYOUTS_BANK_DEBTOR_BIC: bicVar(DEV_DEBTOR_BIC).meta({
    description: "The BIC of that account's bank, 8 or 11 characters.",
  }),
} satisfies z.ZodRawShape;
