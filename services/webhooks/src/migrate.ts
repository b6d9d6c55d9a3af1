import { migrate } from '@onecommons/service-kit';
import { webhooksService } from './webhooks.definition.js';

await migrate(webhooksService);
