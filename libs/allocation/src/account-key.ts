/** Account keys of the allocation output and the order they are sorted in. */

export const GENERAL_FUND = 'fund:general';

export const providerAccount = (provider: string): string => `provider:${provider}`;
export const operatorAccount = (operator: string): string => `operator:${operator}`;
export const memberAccount = (account: string): string => `member:${account}`;
export const escrowAccount = (project: string): string => `escrow:${project}`;

/**
 * Orders strings by their UTF-8 bytes, which is code point order. JavaScript's `<` compares UTF-16 code units
 * instead, and puts surrogate pairs (U+10000 and above) before U+E000..U+FFFF.
 */
export function compareKeys(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a !== b) return codePointRank(a) - codePointRank(b);
  }
  return left.length - right.length;
}

/** Moves surrogates (0xD800..0xDFFF) above 0xE000..0xFFFF, keeping the order within each group. */
function codePointRank(codeUnit: number): number {
  if (codeUnit < 0xd800) return codeUnit;
  return codeUnit < 0xe000 ? codeUnit + 0x2000 : codeUnit - 0x800;
}
