import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AdminsRepository } from '../admins/admins.repository.js';
import { AdminsController } from '../admins/admins.controller.js';
import { AdminsService } from '../admins/admins.service.js';
import {
  ApiKeyIntrospectionController,
  OrganizationApiKeysController,
} from '../api-keys/api-keys.controller.js';
import { CatalogServicesProjection } from '../catalog-services/catalog-services.projection.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { InternalAccessController } from '../internal-access/internal-access.controller.js';
import {
  MyInvitationsController,
  OrganizationInvitationsController,
} from '../invitations/invitations.controller.js';
import { InvitationsRepository } from '../invitations/invitations.repository.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { OrganizationsService } from './organizations.service.js';

/** Organizations, their members, invitations and API keys, platform admins, and catalog's services. */
@Module({
  imports: [AccountsModule, DirectoryModule],
  controllers: [
    OrganizationsController,
    OrganizationInvitationsController,
    MyInvitationsController,
    OrganizationApiKeysController,
    ApiKeyIntrospectionController,
    InternalAccessController,
    AdminsController,
  ],
  providers: [
    OrganizationsRepository,
    OrganizationsService,
    InvitationsRepository,
    InvitationsService,
    AdminsRepository,
    AdminsService,
    CatalogServicesProjection,
  ],
  exports: [OrganizationsRepository, OrganizationsService, InvitationsRepository, AdminsService],
})
export class OrganizationsModule {}
