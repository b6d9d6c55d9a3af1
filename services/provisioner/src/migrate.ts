import { migrate } from '@onecommons/service-kit';
import { provisionerService } from './provisioner.definition.js';

await migrate(provisionerService);
