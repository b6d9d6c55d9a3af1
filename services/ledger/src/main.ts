import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { ledgerService } from './ledger.definition.js';
import { runVerifyCommand } from './verify/verify-command.js';

// `verify` is the ledger's own command (`commons ledger verify` runs it); the rest are every service's.
const [command, ...rest] = process.argv.slice(2);
if (command === 'verify') await runVerifyCommand();
else await runServiceCommand(ledgerService, command === undefined ? [] : [command, ...rest]);
