import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { payoutsService } from './payouts.definition.js';

await runServiceCommand(payoutsService, process.argv.slice(2));
