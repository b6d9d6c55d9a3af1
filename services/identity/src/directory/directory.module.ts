import { Module } from '@nestjs/common';
import { ApiKeyStore } from './api-key-store.js';
import { MembershipDirectory } from './membership-directory.js';

/** Who belongs where and which API keys are live: read by the auth guard, token issuing and the APIs. */
@Module({
  providers: [MembershipDirectory, ApiKeyStore],
  exports: [MembershipDirectory, ApiKeyStore],
})
export class DirectoryModule {}
