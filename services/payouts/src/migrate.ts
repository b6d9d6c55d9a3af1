import { migrate } from '@onecommons/service-kit';
import { payoutsService } from './payouts.definition.js';

await migrate(payoutsService);
