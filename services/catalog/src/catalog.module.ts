import { Module } from '@nestjs/common';
import { AgreementsController } from './agreements/agreements.controller.js';
import { AgreementsRepository } from './agreements/agreements.repository.js';
import { AgreementsService } from './agreements/agreements.service.js';
import { AppsController } from './apps/apps.controller.js';
import { AppsRepository } from './apps/apps.repository.js';
import { AppsService } from './apps/apps.service.js';
import { KnownPartiesProjection } from './parties/known-parties.projection.js';
import { KnownPartiesRepository } from './parties/known-parties.repository.js';
import { PricingController } from './pricing/pricing.controller.js';
import { PricingRepository } from './pricing/pricing.repository.js';
import { PricingService } from './pricing/pricing.service.js';
import { OrganizationProjectsController, ProjectsController } from './projects/projects.controller.js';
import { ProjectsRepository } from './projects/projects.repository.js';
import { ProjectsService } from './projects/projects.service.js';
import { ServicesController } from './services/services.controller.js';
import { ServicesRepository } from './services/services.repository.js';
import { ServicesService } from './services/services.service.js';

@Module({
  controllers: [
    AppsController,
    OrganizationProjectsController,
    ProjectsController,
    PricingController,
    ServicesController,
    AgreementsController,
  ],
  providers: [
    KnownPartiesRepository,
    AppsRepository,
    ProjectsRepository,
    PricingRepository,
    ServicesRepository,
    AgreementsRepository,
    KnownPartiesProjection,
    AppsService,
    ProjectsService,
    PricingService,
    ServicesService,
    AgreementsService,
  ],
})
export class CatalogModule {}
