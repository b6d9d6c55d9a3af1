import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { DirectoryModule } from '../directory/directory.module.js';
import { AccessTokenIssuer } from './access-token-issuer.js';
import { OidcArtifactsRepository } from '../oidc/provider/oidc-artifacts.repository.js';
import { AccountSessions } from './account-sessions.js';
import { RefreshTokens } from './refresh-tokens.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { JwksController, SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';
import { SigningKeyMetrics } from './signing-key-metrics.js';
import { SigningKeyStore } from './signing-key-store.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

@Module({
  imports: [AccountsModule, DirectoryModule],
  controllers: [SessionsController, JwksController],
  providers: [
    SigningKeysRepository,
    SigningKeyStore,
    SigningKeyMetrics,
    AccessTokenIssuer,
    RefreshTokensRepository,
    RefreshTokens,
    SessionsService,
    PasswordHasher,
    AccountSessions,
    OidcArtifactsRepository,
  ],
  exports: [SigningKeyStore, AccountSessions, RefreshTokens, SessionsService, OidcArtifactsRepository],
})
export class SessionsModule {}
