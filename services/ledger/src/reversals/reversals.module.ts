import { Module } from '@nestjs/common';
import { PeriodClosesModule } from '../periods/period-closes.module.js';
import { TreasuryModule } from '../treasury/treasury.module.js';
import { PaymentReversalEvents } from './payment-reversal-events.js';
import { PaymentReversalLedger } from './payment-reversal-ledger.js';
import { ReversalsRepository } from './reversals.repository.js';

/** Refunds and disputes of captured payments: tokens burned before the close, a loss of the reserve after it. */
@Module({
  imports: [TreasuryModule, PeriodClosesModule],
  providers: [ReversalsRepository, PaymentReversalLedger, PaymentReversalEvents],
  // PeriodsModule's statements list the subscriber's reversals.
  exports: [PaymentReversalLedger, ReversalsRepository],
})
export class ReversalsModule {}
