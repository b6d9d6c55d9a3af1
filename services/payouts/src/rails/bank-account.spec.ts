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
    // In SEPA though ibantools 4.5.4 does not list them as SEPA countries.
    'AL47212110090000000235698741',
    'MD24AG000225100013104168',
    'ME25505000012345678951',
    'MK07250120000058984',
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
    ['BE41539007547035', 'checksum'], // mod-97 holds, the Belgian check digits do not
    ['FR8420041010050500013M02607', 'checksum'], // mod-97 holds, the French RIB key does not
    ['DE8937040044053201300', 'wrong_length'],
    ['DE893704004405320130000', 'wrong_length'],
    ['US64SVBKUS6S3300958879', 'country_not_in_sepa'],
    ['TR330006100519786457841326', 'country_not_in_sepa'], // a valid IBAN outside SEPA
    ['DE0537040044053201300A', 'malformed'], // mod-97 holds, a German BBAN has digits only
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

  it('trims the input', () => {
    expect(validateBic(' deutdeff ')).toEqual({ valid: true, value: 'DEUTDEFF' });
  });

  it.each(['DEUTDEF', 'DEUTDEFF5', 'DEUT1EFF', 'DEUTDEFF50X0', 'DEUTXXFF', ''])('refuses %s', (bic) => {
    expect(validateBic(bic)).toMatchObject({ valid: false });
  });
});
