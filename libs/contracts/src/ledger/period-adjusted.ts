import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const decimal = z.string().regex(/^(0|[1-9]\d*)$/);
const root = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Keyed by the adjusted period, like its `PeriodClosedV1`: a consumer (and the ledger's own replay) sees the close
 * and the earlier adjustments of the period first.
 */
export const PeriodAdjustedV1 = defineEvent({
  type: 'onecommons.ledger.period.adjusted.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'A closed period was adjusted after usage corrections: its allocation recomputed on the corrected input, and the difference posted as a new transaction in the current period (docs/trust-rules.md).',
  schema: z.object({
    /** The closed period that was adjusted (its entries are never changed). */
    period: periodSchema,
    /** 1 for the period's first adjustment, then 2, 3, …: each adjusts the one before it (or the close). */
    sequence: z.number().int().min(1),
    /** The open period whose journal carries the difference. */
    postedIn: periodSchema,
    /** The ledger transaction of the difference (`adjust:<period>:<sequence>`); null when nothing changed. */
    transactionKey: z.string().min(1).max(100).nullable(),
    /** uCC allocated: the same total as the close (corrections move tokens between accounts, they mint none). */
    total: decimal,
    /** The Merkle root of the adjusted allocation, published beside the close's. */
    merkleRoot: root,
    /** The root this adjustment replaces: the close's, or the previous adjustment's. */
    previousMerkleRoot: root,
    /** The price (minor units per `den` CC) at which payees' token differences became payable currency. */
    price: z.object({ num: decimal, den: decimal }),
    /** The usage corrections (metering's ClosedPeriodUsageCorrected) this adjustment applied, by identity. */
    corrections: z
      .array(z.object({ serviceId: z.uuid(), source: z.string().min(1), id: z.string().min(1) }))
      .min(1),
    reason: z.string().min(1).max(500),
    /** Who asked for it: an admin's account id, or `cli:<user>` for `commons period adjust`. */
    adjustedBy: z.string().min(1).max(200),
    adjustedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => `period:${data.period}`,
});
