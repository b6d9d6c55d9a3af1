import { type RateLimitPolicy } from '@onecommons/service-kit';
import { type LedgerConfig } from '../config.js';

/**
 * The public transparency pages need no sign-in, so the gateway's limit per address is all that stands before
 * them but this: a period page may trace a whole period's usage when it is not cached yet.
 */
export const TRANSPARENCY_PAGE_LIMITS = ['transparency-pages'] as const;

export function ledgerRateLimits(config: LedgerConfig): RateLimitPolicy[] {
  return [
    { name: 'transparency-pages', limit: config.LEDGER_TRANSPARENCY_RATE_LIMIT_PER_MINUTE, ttlMs: 60_000 },
  ];
}
