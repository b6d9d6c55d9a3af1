import { migrate } from '@onecommons/service-kit';
import { catalogService } from './catalog.definition.js';

await migrate(catalogService);
