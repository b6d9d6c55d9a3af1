import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type Express, type NextFunction } from 'express';
import Provider from 'oidc-provider';
import { DataSource } from 'typeorm';
import { type IdentityConfig } from '../../config.js';
import { OidcClients } from '../clients/oidc-clients.service.js';
import { AccountClaimsRepository } from './account-claims.repository.js';
import { OidcArtifactsRepository } from './oidc-artifacts.repository.js';
import { OidcSigningKeys } from './oidc-signing-keys.js';
import { postgresAdapter } from './postgres-adapter.js';
import { onlyQueryResponseMode } from './query-response-mode.js';
import { OIDC_MOUNT_PATH, providerConfiguration } from './provider-configuration.js';

/**
 * Builds the OpenID provider at boot and serves it under OIDC_MOUNT_PATH, after Nest's routes (the sign-in
 * pages are Nest routes under the same path, so they are matched first).
 */
@Injectable()
export class OidcProviderHost implements OnModuleInit {
  private built: Provider | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly artifacts: OidcArtifactsRepository,
    private readonly clients: OidcClients,
    private readonly accountClaims: AccountClaimsRepository,
    private readonly signingKeys: OidcSigningKeys,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  get provider(): Provider {
    if (!this.built) throw new Error('the OpenID provider is not built yet');
    return this.built;
  }

  async onModuleInit(): Promise<void> {
    const express = this.http?.httpAdapter?.getInstance<Express>();
    if (!express) return; // a command without HTTP (migrate, replay): no provider to serve
    const provider = new Provider(
      this.config.PUBLIC_URL,
      providerConfiguration({
        config: this.config,
        adapter: postgresAdapter(this.dataSource, this.artifacts, this.clients),
        signingKeys: await this.signingKeys.privateJwks(),
        claimsOf: (accountId) => this.accountClaims.claimsOf(this.dataSource.manager, accountId),
      }),
    );
    provider.proxy = true;
    onlyQueryResponseMode(provider);
    this.built = provider;
    const handle = provider.callback();
    const publicUrl = new URL(this.config.PUBLIC_URL);
    express.use(OIDC_MOUNT_PATH, (request: IncomingMessage, response: ServerResponse, next: NextFunction) => {
      if (request.url?.startsWith('/interaction/')) return next();
      // The URLs the provider writes (discovery, redirects) come from the configured public origin, never
      // from a Host header a client chose.
      request.headers['x-forwarded-host'] = publicUrl.host;
      request.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      void handle(request, response);
    });
  }
}
