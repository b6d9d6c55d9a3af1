import { type UsageWatermark } from '../projections/usage.repository.js';

/**
 * Whether a period's usage is complete for its close (docs/trust-rules.md): metering has sealed the period and the ledger
 * has applied exactly the UsageRecorded events metering announced for it. More applied than announced is a bug
 * (metering published after its seal, or counted wrong): the close is refused until someone looks.
 */
export type UsageCompleteness = 'complete' | 'not_sealed' | 'behind' | 'beyond_watermark';

export function usageCompleteness(watermark: UsageWatermark): UsageCompleteness {
  if (watermark.announced === null) return 'not_sealed';
  if (watermark.applied < watermark.announced) return 'behind';
  if (watermark.applied > watermark.announced) return 'beyond_watermark';
  return 'complete';
}

/** The lag as the API and the CLI show it; counts as decimal strings. */
export interface UsageLagDto {
  /** Metering has sealed the period (it takes no more usage for it) and said how many events it announced. */
  readonly sealed: boolean;
  /** UsageRecorded events metering published for the period; null until it seals. */
  readonly announced: string | null;
  /** UsageRecorded events of the period the ledger has applied. */
  readonly applied: string;
  /** Announced minus applied (negative: more applied than announced, a bug); null until sealed. */
  readonly behind: string | null;
  readonly sealedAt: string | null;
}

export function usageLagOf(watermark: UsageWatermark): UsageLagDto {
  return {
    sealed: watermark.announced !== null,
    announced: watermark.announced?.toString() ?? null,
    applied: watermark.applied.toString(),
    behind: watermark.announced === null ? null : (watermark.announced - watermark.applied).toString(),
    sealedAt: watermark.sealedAt?.toISOString() ?? null,
  };
}

/** One line for logs and the CLI: what the close waits for. */
export function describeUsageLag(period: string, lag: UsageLagDto): string {
  if (!lag.sealed)
    return `metering has not sealed ${period} yet (no watermark); the ledger has applied ${lag.applied} UsageRecorded events of it`;
  return `metering announced ${lag.announced} UsageRecorded events for ${period}, the ledger has applied ${lag.applied} (${lag.behind} behind)`;
}
