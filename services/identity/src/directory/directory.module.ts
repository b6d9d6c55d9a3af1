import { Module } from '@nestjs/common';
import { BoundsRepository } from '../bounds/bounds.repository.js';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { CatalogServicesRepository } from '../catalog-services/catalog-services.repository.js';
import { ServiceOperators } from '../catalog-services/service-operators.js';
import { ApiKeyStore } from './api-key-store.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { DirectoryRepository } from './directory.repository.js';
import { MembershipDirectory } from './membership-directory.js';

/** Who belongs where and which API keys are live: read by the auth guard, token issuing and the APIs. */
@Module({
  providers: [
    DirectoryRepository,
    MembershipDirectory,
    ApiKeysRepository,
    ApiKeyStore,
    BoundsRepository,
    IdentityBounds,
    CatalogServicesRepository,
    ServiceOperators,
  ],
  exports: [MembershipDirectory, ApiKeyStore, IdentityBounds, CatalogServicesRepository, ServiceOperators],
})
export class DirectoryModule {}
