import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { ledgerService } from './ledger.definition.js';

await runServiceCommand(ledgerService, process.argv.slice(2));
