import './instrumentation.js';
import { runServiceCommand } from '@onecommons/service-kit';
import { webhooksService } from './webhooks.definition.js';

await runServiceCommand(webhooksService, process.argv.slice(2));
