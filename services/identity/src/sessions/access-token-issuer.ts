import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ACCESS_TOKEN_TYPE } from '@onecommons/auth';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { SignJWT } from 'jose';
import { type IdentityConfig } from '../config.js';
import { MembershipDirectory } from '../directory/membership-directory.js';
import { SigningKeyStore } from './signing-key-store.js';

export interface IssuedAccessToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}

/** Short-lived access tokens (RFC 9068 profile): EdDSA, `typ: at+jwt`, issuer, audience, unique `jti`. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly directory: MembershipDirectory,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Signs a token carrying the account's current platform roles and organization memberships. */
  async issue(accountId: string): Promise<IssuedAccessToken> {
    const [{ kid, privateKey }, roles, organizations] = await Promise.all([
      this.keys.signingKey(),
      this.directory.platformRolesOfAccount(accountId),
      this.directory.organizationsOfAccount(accountId),
    ]);
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await new SignJWT({
      roles,
      orgs: organizations.map(({ id, kind, role }) => ({ id, kind, role })),
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYPE, kid })
      .setIssuer(this.config.AUTH_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setSubject(accountId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(privateKey);
    return { accessToken, expiresIn };
  }
}
