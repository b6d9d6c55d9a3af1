import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { type AccountTokenPurpose, AccountTokensRepository } from './account-tokens.repository.js';
import { newOpaqueToken, opaqueTokenHash, opaqueTokenPattern } from './opaque-token.js';

export type { AccountTokenPurpose } from './account-tokens.repository.js';

/** Each purpose's token: its prefix (so a verification link cannot pass for a reset one) and lifetime. */
const TOKEN_RULES: Readonly<Record<AccountTokenPurpose, { prefix: string; ttlMinutes: number }>> = {
  email_verification: { prefix: 'ocv_', ttlMinutes: 48 * 60 },
  password_reset: { prefix: 'ocp_', ttlMinutes: 60 },
};

export const accountTokenPattern = (purpose: AccountTokenPurpose) =>
  opaqueTokenPattern(TOKEN_RULES[purpose].prefix);

const invalidToken: Record<AccountTokenPurpose, () => IdentityError> = {
  email_verification: () =>
    IdentityError.invalid(
      'invalid_verification_token',
      'The verification link is invalid, expired, replaced by a newer one or already used.',
      'token',
    ),
  password_reset: () =>
    IdentityError.invalid(
      'invalid_reset_token',
      'The password reset link is invalid, expired, replaced by a newer one or already used.',
      'token',
    ),
};

/**
 * The tokens emailed links carry: 256 random bits, only a SHA-256 stored, single use, short-lived
 * (verification 48 h, reset 1 h), and the newest of a purpose replaces the account's older ones.
 */
@Injectable()
export class AccountTokens {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccountTokensRepository,
  ) {}

  /** A new token for the account, in the caller's transaction; its older live ones of the purpose stop working. */
  async issue(manager: EntityManager, accountId: string, purpose: AccountTokenPurpose): Promise<string> {
    const { prefix, ttlMinutes } = TOKEN_RULES[purpose];
    const token = newOpaqueToken(prefix);
    await this.tokens.revokeLive(manager, accountId, purpose);
    await this.tokens.insert(manager, { tokenHash: opaqueTokenHash(token), accountId, purpose, ttlMinutes });
    return token;
  }

  /** Uses the token in the caller's transaction: its account; refused when it is not live. */
  async use(manager: EntityManager, token: string, purpose: AccountTokenPurpose): Promise<string> {
    const hash = opaqueTokenHash(token);
    const accountId = await this.tokens.lockLive(manager, hash, purpose);
    if (accountId === null) throw invalidToken[purpose]();
    await this.tokens.markUsed(manager, hash);
    return accountId;
  }

  /** Whether the token would be accepted now; uses nothing (a link opened by a mail scanner stays usable). */
  isLive(token: string, purpose: AccountTokenPurpose): Promise<boolean> {
    return this.tokens.isLive(this.dataSource.manager, opaqueTokenHash(token), purpose);
  }

  /** The refusal of a token of this purpose (a malformed one too: no hint which part was wrong). */
  refusal(purpose: AccountTokenPurpose): IdentityError {
    return invalidToken[purpose]();
  }

  /** Forgets every token of the account (it is being deleted). */
  forgetAccount(manager: EntityManager, accountId: string): Promise<void> {
    return this.tokens.deleteOfAccount(manager, accountId);
  }
}
