import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { formBody } from '../pages/form-body.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { OidcClientsController } from './clients/oidc-clients.controller.js';
import { OidcClientsRepository } from './clients/oidc-clients.repository.js';
import { OidcClients } from './clients/oidc-clients.service.js';
import { InteractionController } from './interaction/interaction.controller.js';
import { AccountClaimsRepository } from './provider/account-claims.repository.js';
import { ExpiredArtifactsSweeper } from './provider/expired-artifacts-sweeper.js';
import { OidcProviderHost } from './provider/oidc-provider-host.js';
import { OidcSigningKeys, OidcSigningKeysRepository } from './provider/oidc-signing-keys.js';
import { AppUserPlanNotices } from './plan-notices/app-user-plan-notices.js';

/** "Sign in with OneCommons": identity as an OpenID provider for the apps, and the apps' clients. */
@Module({
  imports: [SessionsModule, DirectoryModule],
  controllers: [OidcClientsController, InteractionController],
  providers: [
    OidcClientsRepository,
    OidcClients,
    OidcSigningKeysRepository,
    OidcSigningKeys,
    AccountClaimsRepository,
    OidcProviderHost,
    ExpiredArtifactsSweeper,
    AppUserPlanNotices,
  ],
})
export class OidcModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(formBody).forRoutes(InteractionController);
  }
}
