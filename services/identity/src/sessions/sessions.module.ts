import { Module } from '@nestjs/common';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { AccessTokenIssuer } from './access-token-issuer.js';
import { RefreshTokens } from './refresh-tokens.js';
import { JwksController, SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { SigningKeyMetrics } from './signing-key-metrics.js';
import { SigningKeyStore } from './signing-key-store.js';

@Module({
  imports: [DirectoryModule],
  controllers: [SessionsController, JwksController],
  providers: [
    SigningKeyStore,
    SigningKeyMetrics,
    AccessTokenIssuer,
    RefreshTokens,
    SessionsService,
    PasswordHasher,
  ],
  exports: [SigningKeyStore],
})
export class SessionsModule {}
