import { Module } from '@nestjs/common';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { ServiceOperators } from '../catalog-services/service-operators.js';
import { ApiKeyStore } from './api-key-store.js';
import { MembershipDirectory } from './membership-directory.js';

/** Who belongs where and which API keys are live: read by the auth guard, token issuing and the APIs. */
@Module({
  providers: [MembershipDirectory, ApiKeyStore, IdentityBounds, ServiceOperators],
  exports: [MembershipDirectory, ApiKeyStore, IdentityBounds],
})
export class DirectoryModule {}
