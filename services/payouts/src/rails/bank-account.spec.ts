import { validateBic, validateIban } from './bank-account.js';

describe('validateIban', () => {
  it.each([
    'DE89370400440532013000',
    'GB82WEST12345698765432',
    'FR1420041010050500013M02606',
    'NL91ABNA0417164300',
    'CH9300762011623852957',
    'BE68539007547034',
    'NO9386011117947',
    'MT84MALT011000012345MTLCAST001S',
    'SE4550000000058398257466',
    'AT611904300234573201',
    'IT60X0542811101000000123456',
  ])('accepts %s', (iban) => {
    expect(validateIban(iban)).toEqual({ valid: true, value: iban });
  });

  it('accepts the print format and returns the electronic one', () => {
    expect(validateIban('de89 3704 0044 0532 0130 00')).toEqual({
      valid: true,
      value: 'DE89370400440532013000',
    });
  });

  it.each([
    ['DE89370400440532013001', 'checksum'],
    ['DE88370400440532013000', 'checksum'],
    ['GB82WEST12345698765423', 'checksum'],
    ['DE8937040044053201300', 'wrong_length'],
    ['DE893704004405320130000', 'wrong_length'],
    ['US64SVBKUS6S3300958879', 'country_not_in_sepa'],
    ['DE89-3704-0044', 'malformed'],
    ['', 'malformed'],
  ])('refuses %s (%s)', (iban, reason) => {
    expect(validateIban(iban)).toEqual({ valid: false, reason });
  });
});

describe('validateBic', () => {
  it.each(['COBADEFFXXX', 'DEUTDEFF', 'deutdeff500', 'BNPAFRPP'])('accepts %s', (bic) => {
    expect(validateBic(bic)).toEqual({ valid: true, value: bic.toUpperCase() });
  });

  it.each(['DEUTDEF', 'DEUTDEFF5', 'DEUT1EFF', 'DEUTDEFF50X0', ''])('refuses %s', (bic) => {
    expect(validateBic(bic)).toMatchObject({ valid: false });
  });
});
