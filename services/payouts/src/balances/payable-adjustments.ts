import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PayableAdjustedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PayeesRepository } from '../payees/payees.repository.js';
import { BalancesRepository } from './balances.repository.js';

/**
 * The ledger's adjustments of closed periods: each changes a payee's payable balance once, up (a credit) or down
 * (a debit, netted against later payouts; the balance may go negative and the payee is then held).
 */
@Injectable()
export class PayableAdjustments {
  constructor(
    private readonly payees: PayeesRepository,
    private readonly balances: BalancesRepository,
  ) {}

  @OnEvent(PayableAdjustedV1)
  async onAdjusted(
    event: CloudEvent<DataOf<typeof PayableAdjustedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const data = event.data;
    await this.payees.ensure(manager, data.payee);
    await this.balances.addAdjustment(manager, data);
  }
}
