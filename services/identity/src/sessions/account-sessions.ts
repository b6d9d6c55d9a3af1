import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

/** Why every session of an account ended (kept on each revoked refresh token). */
export type SessionsEndReason =
  'password_reset' | 'password_changed' | 'signed_out_everywhere' | 'account_deleted';

/**
 * The one home of "end every session of an account": password reset and change, signing out everywhere and
 * deletion all call it, in their own transaction. Today a session is a refresh-token family; access tokens are
 * short-lived JWTs that stay valid until they expire (ACCESS_TOKEN_TTL_SECONDS), which no revocation reaches.
 */
@Injectable()
export class AccountSessions {
  constructor(private readonly refreshTokens: RefreshTokensRepository) {}

  /** Revokes every refresh-token family of the account; how many live tokens it revoked. */
  endAll(manager: EntityManager, accountId: string, reason: SessionsEndReason): Promise<number> {
    return this.refreshTokens.revokeAllOfAccount(manager, accountId, reason);
  }
}
