import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { OidcArtifactsRepository } from '../oidc/provider/oidc-artifacts.repository.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

/** Why every session of an account ended (kept on each revoked refresh token). */
export type SessionsEndReason =
  'password_reset' | 'password_changed' | 'signed_out_everywhere' | 'account_deleted';

/**
 * The one home of "end every session of an account": password reset and change, signing out everywhere and
 * deletion all call it, in their own transaction. A session is a refresh-token family of the API, or a
 * sign-in at the OpenID provider with the grants, codes and tokens the apps got from it. The API's access
 * tokens are short-lived JWTs that stay valid until they expire (ACCESS_TOKEN_TTL_SECONDS); the apps' access
 * tokens are opaque and end at once.
 */
@Injectable()
export class AccountSessions {
  constructor(
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly oidcArtifacts: OidcArtifactsRepository,
  ) {}

  /** Revokes every refresh-token family and OpenID session of the account; how many live API tokens it revoked. */
  async endAll(manager: EntityManager, accountId: string, reason: SessionsEndReason): Promise<number> {
    await this.oidcArtifacts.destroyOfAccount(manager, accountId);
    return this.refreshTokens.revokeAllOfAccount(manager, accountId, reason);
  }
}
