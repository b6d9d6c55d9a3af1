import { Module } from '@nestjs/common';
import { JournalRepository } from '../journal/journal.repository.js';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { PeriodClosesModule } from '../periods/period-closes.module.js';
import { PaymentMinting } from './payment-minting.js';
import { TreasuryMetrics } from './treasury-metrics.js';
import { PeriodPrices } from './period-prices.js';
import { Treasury } from './treasury.js';
import { TreasuryRepository } from './treasury.repository.js';

@Module({
  imports: [PeriodClosesModule],
  providers: [
    JournalRepository,
    TreasuryRepository,
    LedgerJournal,
    PeriodPrices,
    Treasury,
    PaymentMinting,
    TreasuryMetrics,
  ],
  exports: [LedgerJournal, Treasury, PeriodPrices],
})
export class TreasuryModule {}
