import { Module } from '@nestjs/common';
import { AdminsController } from '../admins/admins.controller.js';
import { AdminsService } from '../admins/admins.service.js';
import {
  ApiKeyIntrospectionController,
  OrganizationApiKeysController,
} from '../api-keys/api-keys.controller.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsService } from './organizations.service.js';

/** Organizations, their members and API keys, and platform admins. */
@Module({
  imports: [DirectoryModule],
  controllers: [
    OrganizationsController,
    OrganizationApiKeysController,
    ApiKeyIntrospectionController,
    AdminsController,
  ],
  providers: [OrganizationsService, AdminsService],
})
export class OrganizationsModule {}
