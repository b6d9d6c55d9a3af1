import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { runAdjustCommand } from './adjustments/adjust-command.js';
import { ledgerService } from './ledger.definition.js';
import { runPayablesCommand } from './payables/payables-command.js';
import { runCloseCommand } from './periods/close-command.js';
import { runVerifyCommand } from './verify/verify-command.js';

// `verify`, `close`, `adjust` and `payables` are the ledger's own commands (`commons ledger verify`, `commons period
// close`, `commons period adjust`); the rest are every service's.
const [command, ...rest] = process.argv.slice(2);
if (command === 'verify') await runVerifyCommand();
else if (command === 'close') await runCloseCommand(rest);
else if (command === 'adjust') await runAdjustCommand(rest);
else if (command === 'payables') await runPayablesCommand(rest);
else await runServiceCommand(ledgerService, command === undefined ? [] : [command, ...rest]);
