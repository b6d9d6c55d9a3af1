import { Inject, Injectable, Logger } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { newOpaqueToken, opaqueTokenHash as hashOf } from '../accounts/opaque-token.js';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

/** Refresh tokens are opaque (`newOpaqueToken`) with this prefix. */
export const REFRESH_TOKEN_PREFIX = 'ocr_';

const invalidRefreshToken = () =>
  new IdentityError(
    'unauthenticated',
    'invalid_refresh_token',
    'The refresh token is invalid, expired or revoked.',
  );

/**
 * Rotating refresh tokens (OAuth 2.0 Security BCP §4.14): each use returns a new token of the same family
 * and spends the old one. Presenting a spent token means it was copied: the whole family is revoked, so
 * neither the thief nor the victim can go on without logging in again.
 */
@Injectable()
export class RefreshTokens {
  private readonly logger = new Logger('RefreshTokens');

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: RefreshTokensRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Starts a family (a login) inside the caller's transaction. */
  startFamily(manager: EntityManager, accountId: string): Promise<string> {
    return this.insert(manager, uuidV7(), accountId);
  }

  /** Spends a token and returns its successor and account; reuse revokes the family. */
  async rotate(token: string): Promise<{ accountId: string; refreshToken: string }> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const stored = await this.tokens.lockByHash(manager, hashOf(token));
      if (!stored || stored.revokedAt) return { kind: 'invalid' as const };
      if (stored.usedAt) {
        await this.tokens.revokeFamily(manager, stored.familyId, 'reuse_detected');
        return { kind: 'reused' as const, familyId: stored.familyId };
      }
      if (stored.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      await this.tokens.markUsed(manager, stored.id);
      const refreshToken = await this.insert(manager, stored.familyId, stored.accountId);
      return { kind: 'rotated' as const, accountId: stored.accountId, refreshToken };
    });
    if (outcome.kind === 'reused') {
      this.logger.warn(`refresh token reuse detected: revoked family ${outcome.familyId}`);
      throw invalidRefreshToken();
    }
    if (outcome.kind === 'invalid') throw invalidRefreshToken();
    return { accountId: outcome.accountId, refreshToken: outcome.refreshToken };
  }

  /** Logout: revokes the token's family. Unknown tokens are ignored (logout is idempotent). */
  async revokeFamily(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const familyId = await this.tokens.familyOf(manager, hashOf(token));
      if (familyId !== null) await this.tokens.revokeFamily(manager, familyId, 'logout');
    });
  }

  private async insert(manager: EntityManager, familyId: string, accountId: string): Promise<string> {
    const token = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    await this.tokens.insert(manager, {
      id: uuidV7(),
      familyId,
      accountId,
      tokenHash: hashOf(token),
      ttlDays: this.config.REFRESH_TOKEN_TTL_DAYS,
    });
    return token;
  }
}
