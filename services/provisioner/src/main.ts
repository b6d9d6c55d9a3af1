import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { provisionerService } from './provisioner.definition.js';

await runServiceCommand(provisionerService, process.argv.slice(2));
