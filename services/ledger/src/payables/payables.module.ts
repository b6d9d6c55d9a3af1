import { Module } from '@nestjs/common';
import { TreasuryModule } from '../treasury/treasury.module.js';
import { CloseSettlement } from './close-settlement.js';
import { CloseSettlementRepository } from './close-settlement.repository.js';
import { PayeePreferences } from './payee-preferences.js';
import { PayeePreferencesRepository } from './payee-preferences.repository.js';
import { PayoutPostings } from './payout-postings.js';

/** Payable currency: redemptions at close, escrow releases, and payouts' steps mirrored in the ledger. */
@Module({
  imports: [TreasuryModule],
  providers: [
    PayeePreferences,
    PayeePreferencesRepository,
    CloseSettlement,
    CloseSettlementRepository,
    PayoutPostings,
  ],
  exports: [CloseSettlement, PayeePreferences],
})
export class PayablesModule {}
