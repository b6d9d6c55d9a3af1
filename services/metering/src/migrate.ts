import { migrate } from '@onecommons/service-kit';
import { meteringService } from './metering.definition.js';

await migrate(meteringService);
