import { LedgerError } from '../ledger-errors.js';
import { describeUsageLag, type UsageLagDto } from './usage-lag.js';

/** How soon a client refused for lag should ask again (the scheduler closes it anyway once caught up). */
export const USAGE_LAG_RETRY_AFTER_SECONDS = 5;

/** The close waits for usage metering announced (or for its watermark): retryable, and the scheduler retries. */
export class UsageNotConsumedError extends LedgerError {
  constructor(
    period: string,
    readonly lag: UsageLagDto,
  ) {
    super(
      'conflict',
      'usage_not_consumed',
      `${describeUsageLag(period, lag)}. The close is requested and happens once the ledger has caught up (the scheduler retries); ask again later.`,
      { field: 'period', retryAfterSeconds: USAGE_LAG_RETRY_AFTER_SECONDS, details: { ...lag } },
    );
  }
}

/**
 * The ledger applied more UsageRecorded events of the period than metering announced before sealing it: a bug on
 * one side (docs/runbooks/close-usage-not-consumed.md). Not retryable: the close is refused until someone looks.
 */
export class UsageBeyondWatermarkError extends LedgerError {
  constructor(
    period: string,
    readonly lag: UsageLagDto,
  ) {
    super(
      'conflict',
      'usage_beyond_watermark',
      `the ledger applied ${lag.applied} UsageRecorded events of ${period} but metering announced ${lag.announced} when it sealed it: the close is refused (see the runbook close-usage-not-consumed)`,
      { field: 'period', details: { ...lag } },
    );
  }
}
