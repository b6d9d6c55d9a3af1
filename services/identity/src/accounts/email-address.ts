/**
 * The one spelling of an email address the platform stores and compares: Unicode NFKC, trimmed,
 * lowercased. Two spellings of the same mailbox can then never hold two accounts.
 */
export function normaliseEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}
