import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InfrastructureEndpoint } from '@onecommons/service-kit';
import { exportJWK } from 'jose';
import { AccessTokenVerifier } from '../access-token-verifier.js';
import { AuthModule } from './auth.module.js';
import { Public } from './decorators.js';

async function boot(...controllers: (new () => unknown)[]): Promise<void> {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  const accessTokens = new AccessTokenVerifier(
    { kind: 'local', keys: () => Promise.resolve({ keys: [jwk] }) },
    { issuer: 'https://identity.test', audience: 'onecommons' },
  );
  @Module({ imports: [AuthModule.forRoot({ useFactory: () => ({ accessTokens }) })], controllers })
  class ServiceModule {}
  const app = await NestFactory.create(ServiceModule, { logger: false, abortOnError: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

@Controller('declared')
class DeclaredController {
  @Get()
  @Public()
  open() {
    return {};
  }
}

@Controller('forgotten')
class ForgottenController {
  @Get()
  forgotten() {
    return {};
  }

  helper() {
    return 'not a route';
  }
}

@InfrastructureEndpoint()
@Controller('probe')
class ProbeController {
  @Get()
  probe() {
    return {};
  }
}

describe('the access policy audit at boot', () => {
  it('lets a service start when every endpoint declares a policy (infrastructure aside)', async () => {
    await expect(boot(DeclaredController, ProbeController)).resolves.toBeUndefined();
  });

  it('refuses to start a service with an endpoint nobody decided about, naming it', async () => {
    await expect(boot(DeclaredController, ForgottenController)).rejects.toThrow(
      'endpoints without an access policy (@Public, @Authenticated, …): ForgottenController.forgotten',
    );
  });
});
