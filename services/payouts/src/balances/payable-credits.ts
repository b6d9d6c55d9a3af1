import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, TokensRedeemedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PayeesRepository } from '../payees/payees.repository.js';
import { BalancesRepository } from './balances.repository.js';

/** The ledger's redemptions: each one credits the payee's payable balance once. */
@Injectable()
export class PayableCredits {
  constructor(
    private readonly payees: PayeesRepository,
    private readonly balances: BalancesRepository,
  ) {}

  @OnEvent(TokensRedeemedV1)
  async onRedeemed(
    event: CloudEvent<DataOf<typeof TokensRedeemedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const data = event.data;
    await this.payees.ensure(manager, data.holder);
    await this.balances.addCredit(manager, data);
  }
}
