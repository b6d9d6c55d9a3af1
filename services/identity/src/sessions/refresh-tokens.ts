import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';

/** Refresh tokens are opaque: a recognisable prefix and 256 random bits. */
const PREFIX = 'ocr_';

const hashOf = (token: string) => createHash('sha256').update(token).digest();

interface StoredToken {
  readonly id: string;
  readonly family_id: string;
  readonly account_id: string;
  readonly expires_at: Date;
  readonly used_at: Date | null;
  readonly revoked_at: Date | null;
}

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
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Starts a family (a login) inside the caller's transaction. */
  startFamily(manager: EntityManager, accountId: string): Promise<string> {
    return this.insert(manager, uuidV7(), accountId);
  }

  /** Spends a token and returns its successor and account; reuse revokes the family. */
  async rotate(token: string): Promise<{ accountId: string; refreshToken: string }> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [stored] = (await manager.query(
        `SELECT id, family_id, account_id, expires_at, used_at, revoked_at FROM refresh_tokens
         WHERE token_hash = $1 FOR UPDATE`,
        [hashOf(token)],
      )) as StoredToken[];
      if (!stored || stored.revoked_at) return { kind: 'invalid' as const };
      if (stored.used_at) {
        await this.revokeFamilyWith(manager, stored.family_id, 'reuse_detected');
        return { kind: 'reused' as const, familyId: stored.family_id };
      }
      if (stored.expires_at.getTime() <= Date.now()) return { kind: 'invalid' as const };
      await manager.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [stored.id]);
      const refreshToken = await this.insert(manager, stored.family_id, stored.account_id);
      return { kind: 'rotated' as const, accountId: stored.account_id, refreshToken };
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
      const [stored] = (await manager.query('SELECT family_id FROM refresh_tokens WHERE token_hash = $1', [
        hashOf(token),
      ])) as { family_id: string }[];
      if (stored) await this.revokeFamilyWith(manager, stored.family_id, 'logout');
    });
  }

  private async revokeFamilyWith(manager: EntityManager, familyId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }

  private async insert(manager: EntityManager, familyId: string, accountId: string): Promise<string> {
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    await manager.query(
      `INSERT INTO refresh_tokens (id, family_id, account_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
      [uuidV7(), familyId, accountId, hashOf(token), this.config.REFRESH_TOKEN_TTL_DAYS],
    );
    return token;
  }
}
