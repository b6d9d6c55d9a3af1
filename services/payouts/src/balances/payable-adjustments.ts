import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PayableAdjustedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PayeesRepository } from '../payees/payees.repository.js';

/**
 * The ledger's adjustments of closed periods: each changes a payee's payable balance once, up (a credit) or down
 * (a debit, netted against later payouts; the balance may go negative and the payee is then held).
 */
@Injectable()
export class PayableAdjustments {
  constructor(private readonly payees: PayeesRepository) {}

  @OnEvent(PayableAdjustedV1)
  async onAdjusted(
    event: CloudEvent<DataOf<typeof PayableAdjustedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const data = event.data;
    await this.payees.ensure(manager, data.payee);
    await manager.query(
      `INSERT INTO payable_adjustments (adjustment_key, payee, period, adjusted_period, sequence, tokens, amount_minor,
                                        currency, price_num, price_den, merkle_root, reason, corrections)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        data.adjustmentKey,
        data.payee,
        data.period,
        data.adjustedPeriod,
        data.sequence,
        data.tokens,
        data.amountMinor,
        data.currency,
        data.price.num,
        data.price.den,
        data.merkleRoot,
        data.reason,
        JSON.stringify(data.corrections),
      ],
    );
  }
}
