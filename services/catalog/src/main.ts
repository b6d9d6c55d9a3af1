import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { catalogService } from './catalog.definition.js';

await runServiceCommand(catalogService, process.argv.slice(2));
