import { migrate } from '@onecommons/service-kit';
import { identityService } from './identity.definition.js';

await migrate(identityService);
