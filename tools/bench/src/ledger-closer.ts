import { OutboxWriter } from '@onecommons/kafka';
import { type DataSource } from 'typeorm';
// The bench runs the ledger's own period close; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { type LedgerConfig } from '@onecommons/ledger/dist/src/config.js';
import { type LedgerJournal } from '@onecommons/ledger/dist/src/journal/ledger-journal.js';
import { CloseSettlement } from '@onecommons/ledger/dist/src/payables/close-settlement.js';
import { CloseSettlementRepository } from '@onecommons/ledger/dist/src/payables/close-settlement.repository.js';
import { PayeePreferences } from '@onecommons/ledger/dist/src/payables/payee-preferences.js';
import { PayeePreferencesRepository } from '@onecommons/ledger/dist/src/payables/payee-preferences.repository.js';
import { PeriodCloseRequests } from '@onecommons/ledger/dist/src/periods/period-close-requests.js';
import { PeriodCloseRequestsRepository } from '@onecommons/ledger/dist/src/periods/period-close-requests.repository.js';
import { PeriodCloser } from '@onecommons/ledger/dist/src/periods/period-closer.js';
import { PeriodClosesRepository } from '@onecommons/ledger/dist/src/periods/period-closes.repository.js';
import { AllocationInputReader } from '@onecommons/ledger/dist/src/projections/allocation-input-reader.js';
import { CatalogRepository } from '@onecommons/ledger/dist/src/projections/catalog.repository.js';
import { UsageRepository } from '@onecommons/ledger/dist/src/projections/usage.repository.js';
import { PeriodPrices } from '@onecommons/ledger/dist/src/treasury/period-prices.js';
import { Treasury } from '@onecommons/ledger/dist/src/treasury/treasury.js';
import { TreasuryRepository } from '@onecommons/ledger/dist/src/treasury/treasury.repository.js';
/* eslint-enable onecommons/module-boundaries */

/**
 * The ledger's `PeriodCloser` wired by hand as its Nest modules wire it (the benches run it without Nest), on
 * `journal` (the close bench passes one that times the posting) with `config`.
 */
export function ledgerCloser(db: DataSource, journal: LedgerJournal, config: LedgerConfig): PeriodCloser {
  const treasuryRows = new TreasuryRepository();
  const prices = new PeriodPrices(treasuryRows);
  const outbox = new OutboxWriter();
  return new PeriodCloser(
    db,
    journal,
    new AllocationInputReader(new CatalogRepository()),
    outbox,
    new CloseSettlement(
      journal,
      new Treasury(journal, prices, config, treasuryRows),
      prices,
      new PayeePreferences(new PayeePreferencesRepository()),
      new CloseSettlementRepository(),
    ),
    new PeriodCloseRequests(outbox, new PeriodCloseRequestsRepository(), config),
    new PeriodClosesRepository(),
    new UsageRepository(),
    config,
  );
}
