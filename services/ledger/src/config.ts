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
  LEDGER_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' })
    .default('EUR')
    .meta({
      description:
        "The treasury's one currency (ISO 4217). A payment in another currency is held on a suspense " +
        'account and mints nothing: the ledger does no FX.',
    }),
  LEDGER_RESERVE_BPS: integerVar({ min: 0, max: 10_000, default: 0 }).meta({
    description:
      'Share of each payment (bps) that stays in the reserve without minting, so held tokens gain value.',
  }),
  LEDGER_GENERAL_FUND_BPS: integerVar({ min: 0, max: 10_000, default: 500 }).meta({
    description: "The general fund's share (bps) of every subscriber's tokens (step 1 of the allocation).",
  }),
  LEDGER_MAX_DEPENDENCY_DEPTH: integerVar({ min: 0, max: 1_000, default: 3 }).meta({
    description: 'Levels a project passes value down to its dependencies.',
  }),
  // 5,000,000 is almost twice a 31-day month of continuous active seconds (2,678,400), far above what a month of
  // honest use reaches.
  LEDGER_CAP_WEIGHT_PER_SERVICE: knobVar({ min: 1, max: Number.MAX_SAFE_INTEGER, default: 5_000_000 }).meta({
    description:
      "Anti-gaming (docs/money-rules.md says why the default): one subscriber's weight for one service is " +
      'cut to this; `off` turns the cap off.',
  }),
  LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: knobVar({ min: 1, max: 1_000_000, default: 2 }).meta({
    description:
      'Anti-gaming: a service paid by fewer distinct paying subscribers than this in a period is dropped ' +
      'from the split; `off` turns the rule off.',
  }),
  LEDGER_CLOSE_GRACE_MINUTES: integerVar({ min: 0, max: 30 * 24 * 60, default: 180 }).meta({
    description:
      'A period closes on schedule this long after it ends: at least METERING_LATE_EVENT_GRACE_MINUTES ' +
      '(checked at boot), so metering has stopped taking usage for it.',
  }),
  METERING_LATE_EVENT_GRACE_MINUTES: integerVar({ min: 0, max: 7 * 24 * 60, default: 60 }).meta({
    description:
      "Metering's own setting, same name and default, set alike in both: how long after its end a period " +
      'still takes late usage.',
  }),
  LEDGER_CLOSE_WAIT_SECONDS: integerVar({ min: 0, max: 50, default: 10 }).meta({
    description:
      "How long an admin's close waits for the ledger to apply what metering announced for the period " +
      'before it answers 409 `usage_not_consumed` (the scheduler then closes it once caught up). Below ' +
      "the gateway's 60 s.",
  }),
  LEDGER_CLOSE_SCHEDULE_SECONDS: integerVar({ min: 1, max: 3_600, default: 60 }).meta({
    description:
      'How often the scheduler closes what is due or requested: a close that answered ' +
      '`usage_not_consumed` closes within this long of the ledger catching up.',
  }),
  LEDGER_CLOSE_REREQUEST_MINUTES: integerVar({ min: 1, max: 24 * 60, default: 5 }).meta({
    description:
      'A close request that metering has not answered with its watermark after this long is sent again.',
  }),
  LEDGER_TRANSPARENCY_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 120 }).meta({
    description:
      'Requests a minute one client address may make to the public transparency pages (`/transparency/`, no ' +
      'sign-in): a page not yet cached traces its whole period.',
  }),
}).refine((config) => config.LEDGER_CLOSE_GRACE_MINUTES >= config.METERING_LATE_EVENT_GRACE_MINUTES, {
  path: ['LEDGER_CLOSE_GRACE_MINUTES'],
  message:
    'must be at least METERING_LATE_EVENT_GRACE_MINUTES: metering takes late usage that long after a period ends, and a scheduled close would cut it short',
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
