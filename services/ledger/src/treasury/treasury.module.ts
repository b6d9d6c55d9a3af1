import { Module } from '@nestjs/common';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { PaymentMinting } from './payment-minting.js';
import { TreasuryMetrics } from './treasury-metrics.js';
import { PeriodPrices } from './period-prices.js';
import { Treasury } from './treasury.js';

@Module({
  providers: [LedgerJournal, PeriodPrices, Treasury, PaymentMinting, TreasuryMetrics],
  exports: [LedgerJournal, Treasury, PeriodPrices],
})
export class TreasuryModule {}
