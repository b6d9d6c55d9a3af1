/** Letters NFD does not decompose into a base letter and marks. */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  '&': '+',
  '@': '(at)',
  _: '-',
  '’': "'",
  '‘': "'",
  '–': '-',
  '—': '-',
  '"': "'",
  '“': "'",
  '”': "'",
  '„': "'",
  '«': "'",
  '»': "'",
};

/** The EPC's SEPA basic Latin character set: what every SEPA bank must accept. */
const SEPA_CHARACTER = /[A-Za-z0-9/\-?:().,'+ ]/;

/**
 * Text a SEPA bank accepts: accents removed (é → e), a few letters spelled out (ß → ss, & → +),
 * anything else outside the EPC set replaced by a space; spaces collapsed, then cut to `maxLength`.
 */
export function sepaText(value: string, maxLength: number): string {
  const transliterated = [...value.normalize('NFC')]
    .map((char) => {
      if (SEPA_CHARACTER.test(char)) return char;
      const mapped = TRANSLITERATIONS[char];
      if (mapped !== undefined) return mapped;
      const base = char.normalize('NFD').replace(/\p{M}/gu, '');
      return [...base].every((part) => SEPA_CHARACTER.test(part)) && base !== '' ? base : ' ';
    })
    .join('');
  return transliterated.replace(/\s+/g, ' ').trim().slice(0, maxLength).trimEnd();
}

/**
 * A reference (MsgId, EndToEndId): the caller's own unique id, so it is checked, never altered. The EPC
 * set, 1..maxLength characters, no leading or trailing `/` and no `//`.
 */
export function isSepaReference(value: string, maxLength = 35): boolean {
  return (
    value.length >= 1 &&
    value.length <= maxLength &&
    [...value].every((char) => SEPA_CHARACTER.test(char) && char !== ' ') &&
    !value.startsWith('/') &&
    !value.endsWith('/') &&
    !value.includes('//')
  );
}
