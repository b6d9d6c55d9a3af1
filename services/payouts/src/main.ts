import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { payoutsService } from './payouts.definition.js';
import { runReconcileCommand } from './reconcile/reconcile-command.js';

// `reconcile` is payouts' own command (`commons payouts reconcile`); the rest are every service's.
const [command, ...rest] = process.argv.slice(2);
if (command === 'reconcile') await runReconcileCommand(rest);
else await runServiceCommand(payoutsService, command === undefined ? [] : [command, ...rest]);
