import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { meteringService } from './metering.definition.js';

await runServiceCommand(meteringService, process.argv.slice(2));
