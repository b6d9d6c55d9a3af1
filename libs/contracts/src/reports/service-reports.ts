import { z } from 'zod';

/**
 * What a service command prints for `commons` to read: one JSON line `{"<key>": <report>}` on stdout, among
 * its log lines. The service writes it with `reportLine`, whose type must match the schema; the CLI reads it
 * with `findReport`, which parses it, so a change on one side fails the build or the read, never a cast.
 */
export interface ReportContract<Schema extends z.ZodType> {
  readonly key: string;
  readonly schema: Schema;
}

/** Reports are read, never changed: their arrays and fields are read-only on both sides. */
export type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
    : T;

export type ReportOf<Contract extends ReportContract<z.ZodType>> = DeepReadonly<z.output<Contract['schema']>>;

export function reportLine<Schema extends z.ZodType>(
  contract: ReportContract<Schema>,
  report: DeepReadonly<z.input<Schema>>,
): string {
  return `${JSON.stringify({ [contract.key]: report })}\n`;
}

/** The contract's report in one line of output; undefined for any other line (a log line, another report). */
export function reportIn<Schema extends z.ZodType>(
  contract: ReportContract<Schema>,
  line: string,
): z.output<Schema> | undefined {
  if (!line.startsWith(`{"${contract.key}":`)) return undefined;
  const value = JSON.parse(line) as Record<string, unknown>;
  const parsed = contract.schema.safeParse(value[contract.key]);
  if (!parsed.success)
    throw new Error(
      `a "${contract.key}" report that does not match its contract: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

/** The first line of `output` that holds the contract's report. */
export function findReport<Schema extends z.ZodType>(
  contract: ReportContract<Schema>,
  output: string,
): z.output<Schema> | undefined {
  for (const line of output.split('\n')) {
    const report = reportIn(contract, line);
    if (report !== undefined) return report;
  }
  return undefined;
}

const minorUnits = z.string().regex(/^-?\d+$/, 'an integer amount in minor units');
const perHolder = z.record(z.string(), minorUnits);

/** The ledger's `payables` command: what the ledger says payouts owe and paid, in its one currency. */
export const PayablesReportContract = {
  key: 'payables',
  schema: z.object({
    period: z.string(),
    currency: z.string(),
    /** Currency the period's redemptions made payable, per holder. */
    redeemed: perHolder,
    /** Currency the adjustments posted in the period credited (+) or debited (−), per holder. */
    adjusted: perHolder,
    /** Every payee's payable balance now. */
    payable: perHolder,
    inTransit: minorUnits,
    disbursed: minorUnits,
  }),
} as const;

/** Payouts' `reconcile` command: its credits, adjustments, balances, the batch and the rail's transfers. */
export const PayoutsReportContract = {
  key: 'payouts',
  schema: z.object({
    period: z.string(),
    /** The ledger's currency, or null for all of them. */
    currency: z.string().nullable(),
    /** The period's credits (the ledger's redemptions as payouts received them), per payee. */
    credits: perHolder,
    /** The adjustments of closed periods posted in the period, signed, per payee. */
    adjustments: perHolder,
    /** Every payee's payable balance now (credits ± adjustments less payouts that did not fail or reverse). */
    payable: perHolder,
    /** Over all batches: in flight (scheduled, submitting, submitted) and paid (succeeded). */
    inTransit: minorUnits,
    disbursed: minorUnits,
    batch: z.object({
      exists: z.boolean(),
      carried: minorUnits,
      held: minorUnits,
      /** Negative balances the batch held (adjustments took back more than was left), as a negative sum. */
      owing: minorUnits,
      linesPaid: minorUnits,
    }),
    payouts: z.array(
      z.object({
        id: z.string(),
        payee: z.string(),
        amountMinor: minorUnits,
        state: z.string(),
        rail: z.string(),
        reference: z.string().nullable(),
      }),
    ),
    /** The rail's own records of the batch's transfers (Stripe's transfer group `payouts:<period>`). */
    transfers: z.array(
      z.object({
        reference: z.string(),
        payoutId: z.string().nullable(),
        amountMinor: minorUnits,
        reversedMinor: minorUnits,
      }),
    ),
  }),
} as const;

export const LEDGER_CHECKS = ['chain', 'zero_sum', 'balances', 'reserve', 'payables', 'reversals'] as const;

/** The ledger's `verify` command: its invariants, checked on its own schema. */
export const LedgerVerifyReportContract = {
  key: 'report',
  schema: z.object({
    ok: z.boolean(),
    schema: z.string(),
    transactions: z.number().int(),
    entries: z.number().int(),
    head: z.string(),
    reserve: z.object({
      currency: z.string(),
      reserve: z.string(),
      outstanding: z.string(),
      price: z.string(),
      claims: z.string(),
      residue: z.string(),
    }),
    /** The first violation, named; `null` when every check holds. */
    firstViolation: z.string().nullable(),
    /** Up to 100 violations, in check order. */
    violations: z.array(z.object({ check: z.enum(LEDGER_CHECKS), message: z.string() })),
  }),
} as const;

const replayProgress = z.object({
  processed: z.number().int(),
  total: z.number().int(),
  outcomes: z.record(z.string(), z.number().int()),
});

const schemaDigest = z.object({
  digest: z.string(),
  tables: z.array(z.object({ table: z.string(), rows: z.number().int(), digest: z.string() })),
});

/** Every service's `replay --progress json`: how far it is, a line every so often. */
export const ReplayProgressContract = { key: 'progress', schema: replayProgress } as const;

/** Every service's `replay`: what it rebuilt and, with `--verify`, whether that equals the live projections. */
export const ReplayReportContract = {
  key: 'report',
  schema: z.object({
    service: z.string(),
    liveSchema: z.string(),
    replaySchema: z.string(),
    replaySchemaKept: z.boolean(),
    topics: z.array(z.string()),
    events: replayProgress,
    seconds: z.number(),
    phaseSeconds: z.object({ load: z.number(), indexes: z.number(), durable: z.number() }),
    /** Messages the live consumer would have dead-lettered: skipped by the replay, counted by reason. */
    skipped: z.record(z.string(), z.number().int()),
    rebuilt: schemaDigest,
    live: schemaDigest.optional(),
    caughtUp: z.number().int().optional(),
    identical: z.boolean().optional(),
  }),
} as const;
