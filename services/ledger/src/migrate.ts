import { migrate } from '@onecommons/service-kit';
import { ledgerService } from './ledger.definition.js';

await migrate(ledgerService);
