import { authConfigShape, liveAccessConfigShape } from '@onecommons/auth';
import { integerVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';

/** An integer setting that `off` disables (null). */
function knobVar(options: { min: number; max: number; default: number }) {
  return z
    .union([z.literal('off').transform(() => null), integerVar(options)])
    .prefault(String(options.default));
}

/** Ledger's environment: the platform's common variables and the treasury's settings. */
export const ledgerConfigSchema = defineServiceConfig({
  ...authConfigShape,
  // Money moves here: memberships and roles are asked of identity per request, not read from the token.
  ...liveAccessConfigShape,
  /**
   * The treasury's one currency (ISO 4217). A payment in another currency is held on a suspense account
   * and mints nothing: the ledger does no FX.
   */
  LEDGER_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' })
    .default('EUR'),
  /** Share of each payment (bps) that stays in the reserve without minting, so held tokens gain value. */
  LEDGER_RESERVE_BPS: integerVar({ min: 0, max: 10_000, default: 0 }),
  /** DESIGN §4 step 1: the general fund's share of every subscriber's tokens. */
  LEDGER_GENERAL_FUND_BPS: integerVar({ min: 0, max: 10_000, default: 500 }),
  /** Levels a project passes value down to its dependencies. */
  LEDGER_MAX_DEPENDENCY_DEPTH: integerVar({ min: 0, max: 1_000, default: 3 }),
  /**
   * Anti-gaming knobs (DESIGN §4), on by default (docs/money-rules.md says why these values); `off` turns one
   * off. The cap bounds one subscriber's weight for one service: 5,000,000 is almost twice a 31-day month of
   * continuous active seconds (2,678,400), far above what a month of honest use reaches.
   */
  LEDGER_CAP_WEIGHT_PER_SERVICE: knobVar({ min: 1, max: Number.MAX_SAFE_INTEGER, default: 5_000_000 }),
  /** A service paid by fewer distinct paying subscribers than this in a period is dropped from the split. */
  LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: knobVar({ min: 1, max: 1_000_000, default: 2 }),
  /**
   * A period closes on schedule this long after it ends: at least metering's late-event grace (checked at boot),
   * so metering has stopped taking usage for it.
   */
  LEDGER_CLOSE_GRACE_MINUTES: integerVar({ min: 0, max: 30 * 24 * 60, default: 180 }),
  /** Metering's own setting, same name and default: how long after its end a period still takes late usage. */
  METERING_LATE_EVENT_GRACE_MINUTES: integerVar({ min: 0, max: 7 * 24 * 60, default: 60 }),
  /**
   * How long an admin's close waits for the ledger to apply what metering announced for the period before it
   * answers 409 `usage_not_consumed` (the scheduler then closes it once caught up). Below the gateway's 60 s.
   */
  LEDGER_CLOSE_WAIT_SECONDS: integerVar({ min: 0, max: 50, default: 10 }),
  /**
   * How often the scheduler closes what is due or requested: a close that answered usage_not_consumed closes
   * within this long of the ledger catching up.
   */
  LEDGER_CLOSE_SCHEDULE_SECONDS: integerVar({ min: 1, max: 3_600, default: 60 }),
  /** A close request that metering has not answered with its watermark after this long is sent again. */
  LEDGER_CLOSE_REREQUEST_MINUTES: integerVar({ min: 1, max: 24 * 60, default: 5 }),
}).refine((config) => config.LEDGER_CLOSE_GRACE_MINUTES >= config.METERING_LATE_EVENT_GRACE_MINUTES, {
  path: ['LEDGER_CLOSE_GRACE_MINUTES'],
  message:
    'must be at least METERING_LATE_EVENT_GRACE_MINUTES: metering takes late usage that long after a period ends, and a scheduled close would cut it short',
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
