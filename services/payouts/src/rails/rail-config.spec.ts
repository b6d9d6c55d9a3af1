import { z } from 'zod';
import { railConfigShape } from './rail-config.js';

const schema = z.object(railConfigShape);

const stripe = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_abc' };

describe('railConfigShape', () => {
  it('needs a Stripe secret key and Connect webhook secret, and fills in the bank debtor for development', () => {
    expect(schema.parse(stripe)).toEqual({
      ...stripe,
      PAYOUTS_BANK_DEBTOR_NAME: 'OneCommons',
      PAYOUTS_BANK_DEBTOR_IBAN: 'DE89370400440532013000',
      PAYOUTS_BANK_DEBTOR_BIC: 'COBADEFFXXX',
    });
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ ...stripe, STRIPE_SECRET_KEY: 'pk_test_abc' }).success).toBe(false);
    expect(schema.safeParse({ STRIPE_SECRET_KEY: 'sk_test_abc' }).success).toBe(false);
    expect(schema.safeParse({ ...stripe, STRIPE_CONNECT_WEBHOOK_SECRET: 'secret' }).success).toBe(false);
  });

  it('normalises a valid debtor account and refuses a bad IBAN, BIC or API base', () => {
    const parsed = schema.parse({
      ...stripe,
      STRIPE_SECRET_KEY: 'sk_live_abc',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      PAYOUTS_BANK_DEBTOR_IBAN: 'nl91 abna 0417 1643 00',
      PAYOUTS_BANK_DEBTOR_BIC: 'abnanl2a',
    });
    expect(parsed).toMatchObject({
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      PAYOUTS_BANK_DEBTOR_IBAN: 'NL91ABNA0417164300',
      PAYOUTS_BANK_DEBTOR_BIC: 'ABNANL2A',
    });
    const problems = schema.safeParse({
      ...stripe,
      STRIPE_API_BASE: 'ftp://example.org',
      PAYOUTS_BANK_DEBTOR_IBAN: 'DE89370400440532013001',
      PAYOUTS_BANK_DEBTOR_BIC: 'NOPE',
    });
    expect(problems.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'PAYOUTS_BANK_DEBTOR_BIC',
      'PAYOUTS_BANK_DEBTOR_IBAN',
      'STRIPE_API_BASE',
    ]);
  });
});
