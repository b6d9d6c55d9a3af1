import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { identityService } from './identity.definition.js';

await runServiceCommand(identityService, process.argv.slice(2));
