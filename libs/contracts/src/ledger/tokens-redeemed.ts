import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const decimal = z.string().regex(/^(0|[1-9]\d*)$/);

/**
 * Keyed by period, like `PeriodClosedV1`: a close's redemptions reach consumers before the close itself, so a
 * consumer that acts on the close has every credit of the period already.
 */
export const TokensRedeemedV1 = defineEvent({
  type: 'onecommons.ledger.tokens.redeemed.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'A participant’s tokens were redeemed for currency at the period’s price; the currency is payable to it (`payable:<holder>`).',
  schema: z.object({
    /** The ledger transaction's key: unique per redemption. */
    redemptionKey: z.string().min(1).max(300),
    /** The participant account (`provider:…`, `operator:…`, `member:…`). */
    holder: z.string().regex(/^(provider|operator|member):[0-9a-f-]{36}$/),
    period: periodSchema,
    /** uCC redeemed: the holder's whole token balance at the close. */
    tokens: decimal,
    /** uCC the period's allocation gave the holder (the rest was held from earlier periods). */
    allocatedTokens: decimal,
    amountMinor: decimal,
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** The period's price: `num` minor units per `den` CC. */
    price: z.object({ num: decimal, den: decimal }),
    /** The period close's Merkle root: the holder's allocation row has a proof against it. */
    merkleRoot: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  subjectOf: (data) => `period:${data.period}`,
});
