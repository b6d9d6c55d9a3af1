import { isSEPACountry, isValidBIC, validateIBAN, ValidationErrorsIBAN } from 'ibantools';

/** In the EPC's SEPA scope since 2024-2025 but not yet marked SEPA in ibantools 4.5.4. */
const SEPA_COUNTRIES_NOT_IN_IBANTOOLS: ReadonlySet<string> = new Set(['AL', 'MD', 'ME', 'MK']);

export type AccountIdCheck =
  { readonly valid: true; readonly value: string } | { readonly valid: false; readonly reason: string };

/**
 * An IBAN of a SEPA country: known country, its exact length and BBAN format, the ISO 7064 mod-97 check
 * digits and the national check digits where the country has them. Spaces are allowed (print format); the
 * value returned is the electronic format (no spaces, upper case). Other separators are refused, as before
 * (ibantools' `electronicFormatIBAN` would drop dashes too).
 */
export function validateIban(input: string): AccountIdCheck {
  const iban = input.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban)) return { valid: false, reason: 'malformed' };
  if (!isSepaCountry(iban.slice(0, 2))) return { valid: false, reason: 'country_not_in_sepa' };
  const { errorCodes } = validateIBAN(iban);
  // A wrong length also fails the format and the checksum: the first reason in this order is the one given.
  if (errorCodes.includes(ValidationErrorsIBAN.WrongBBANLength))
    return { valid: false, reason: 'wrong_length' };
  if (errorCodes.includes(ValidationErrorsIBAN.WrongBBANFormat)) return { valid: false, reason: 'malformed' };
  return errorCodes.length === 0 ? { valid: true, value: iban } : { valid: false, reason: 'checksum' };
}

function isSepaCountry(countryCode: string): boolean {
  return isSEPACountry(countryCode) || SEPA_COUNTRIES_NOT_IN_IBANTOOLS.has(countryCode);
}

/** A BIC (ISO 9362): 8 or 11 characters, a bank code of letters and a known country in characters 5-6. */
export function validateBic(input: string): AccountIdCheck {
  const bic = input.trim().toUpperCase();
  return isValidBIC(bic) ? { valid: true, value: bic } : { valid: false, reason: 'malformed' };
}
