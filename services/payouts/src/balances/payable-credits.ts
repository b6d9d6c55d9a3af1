import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, TokensRedeemedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PayeesRepository } from '../payees/payees.repository.js';

/** The ledger's redemptions: each one credits the payee's payable balance once. */
@Injectable()
export class PayableCredits {
  constructor(private readonly payees: PayeesRepository) {}

  @OnEvent(TokensRedeemedV1)
  async onRedeemed(
    event: CloudEvent<DataOf<typeof TokensRedeemedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const data = event.data;
    await this.payees.ensure(manager, data.holder);
    await manager.query(
      `INSERT INTO payable_credits (redemption_key, payee, period, tokens, allocated_tokens, amount_minor, currency,
                                    price_num, price_den, merkle_root)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (redemption_key) DO NOTHING`,
      [
        data.redemptionKey,
        data.holder,
        data.period,
        data.tokens,
        data.allocatedTokens,
        data.amountMinor,
        data.currency,
        data.price.num,
        data.price.den,
        data.merkleRoot,
      ],
    );
  }
}
