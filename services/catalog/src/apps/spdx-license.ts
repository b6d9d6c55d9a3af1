import parseSpdxExpression from 'spdx-expression-parse';

/** Whether a license string is a valid SPDX license expression (`MIT`, `AGPL-3.0-only OR MIT`, …). */
export function isSpdxExpression(value: string): boolean {
  try {
    parseSpdxExpression(value);
    return true;
  } catch {
    return false;
  }
}
