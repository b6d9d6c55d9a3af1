import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const decimal = z.string().regex(/^(0|[1-9]\d*)$/);
const signed = z.string().regex(/^-?[1-9]\d*$/);

/**
 * Keyed by the period the adjustment was posted in, like that period's redemptions: payouts has every adjustment
 * of a period before its close starts the period's payout batch.
 */
export const PayableAdjustedV1 = defineEvent({
  type: 'onecommons.ledger.payable.adjusted.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'An adjustment of a closed period changed what a payee is owed: a credit, or a debit netted against its later payouts (its payable balance may go negative and is then held).',
  schema: z.object({
    /** The adjustment's ledger transaction (`adjust:<period>:<sequence>`): unique with the payee. */
    adjustmentKey: z.string().min(1).max(100),
    payee: z.string().regex(/^(provider|operator|member):[0-9a-f-]{36}$/),
    /** The open period the adjustment was posted in: its payout batch is the first to see it. */
    period: periodSchema,
    /** The closed period whose allocation was adjusted. */
    adjustedPeriod: periodSchema,
    sequence: z.number().int().min(1),
    /** uCC: how much the payee's tokens from the adjusted period changed (negative: taken back). */
    tokens: signed,
    /** Minor units: positive is credited to the payable balance, negative debited from it. */
    amountMinor: signed,
    currency: z.string().regex(/^[A-Z]{3}$/),
    price: z.object({ num: decimal, den: decimal }),
    /** The adjusted allocation's Merkle root: the payee's adjusted row has a proof against it. */
    merkleRoot: z.string().regex(/^[0-9a-f]{64}$/),
    reason: z.string().min(1).max(500),
    /** The usage corrections behind the adjustment. */
    corrections: z.array(
      z.object({
        serviceId: z.uuid(),
        meter: z.string(),
        delta: signed,
        source: z.string().min(1),
        id: z.string().min(1),
      }),
    ),
  }),
  subjectOf: (data) => `period:${data.period}`,
});
