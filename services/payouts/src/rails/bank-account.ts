/** IBAN lengths of the SEPA scheme's countries (EPC list; French overseas departments use FR IBANs). */
const SEPA_IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AL: 28,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22,
};

export type AccountIdCheck =
  { readonly valid: true; readonly value: string } | { readonly valid: false; readonly reason: string };

/**
 * An IBAN of a SEPA country: known country, its exact length, and the ISO 7064 mod-97 check digits.
 * Spaces are allowed (print format); the value returned is the electronic format (no spaces, upper case).
 */
export function validateIban(input: string): AccountIdCheck {
  const iban = input.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban)) return { valid: false, reason: 'malformed' };
  const length = SEPA_IBAN_LENGTHS[iban.slice(0, 2)];
  if (length === undefined) return { valid: false, reason: 'country_not_in_sepa' };
  if (iban.length !== length) return { valid: false, reason: 'wrong_length' };
  return mod97(iban) === 1 ? { valid: true, value: iban } : { valid: false, reason: 'checksum' };
}

/** The IBAN's remainder mod 97 with its first four characters moved to the end and letters as 10..35. */
function mod97(iban: string): number {
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const digits = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/** A BIC (ISO 9362) as pain.001's BICFI type takes it: 8 or 11 characters, country letters in 5-6. */
export function validateBic(input: string): AccountIdCheck {
  const bic = input.trim().toUpperCase();
  return /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)
    ? { valid: true, value: bic }
    : { valid: false, reason: 'malformed' };
}
