import { Module } from '@nestjs/common';
import { AgreementsController } from './agreements/agreements.controller.js';
import { AgreementsService } from './agreements/agreements.service.js';
import { AppsController } from './apps/apps.controller.js';
import { AppsService } from './apps/apps.service.js';
import { KnownPartiesProjection } from './parties/known-parties.projection.js';
import { PricingController } from './pricing/pricing.controller.js';
import { PricingService } from './pricing/pricing.service.js';
import { OrganizationProjectsController, ProjectsController } from './projects/projects.controller.js';
import { ProjectsService } from './projects/projects.service.js';
import { ServicesController } from './services/services.controller.js';
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
    KnownPartiesProjection,
    AppsService,
    ProjectsService,
    PricingService,
    ServicesService,
    AgreementsService,
  ],
})
export class CatalogModule {}
