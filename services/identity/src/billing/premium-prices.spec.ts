import { premiumPricesVar } from './premium-prices.js';

const parse = (value: string | undefined) => premiumPricesVar('EUR:500').safeParse(value);

describe('PREMIUM_PRICES', () => {
  it('parses currency:minor-unit pairs into bigint amounts', () => {
    const result = parse('EUR:500, USD:650,JPY:800');
    expect(result.success && [...result.data]).toEqual([
      ['EUR', 500n],
      ['USD', 650n],
      ['JPY', 800n],
    ]);
  });

  it('defaults when unset', () => {
    const result = parse(undefined);
    expect(result.success && [...result.data]).toEqual([['EUR', 500n]]);
  });

  it.each(['EUR:5.00', 'eur:500', 'EUR:0', 'EUR:-5', 'EUR', 'EUR:500,EUR:600', ''])('refuses %j', (value) => {
    expect(parse(value).success).toBe(false);
  });
});
