import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryAffected, queryRows } from '@onecommons/persistence';

export interface StoredRefreshToken {
  readonly id: string;
  readonly familyId: string;
  readonly accountId: string;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface NewRefreshToken {
  readonly id: string;
  readonly familyId: string;
  readonly accountId: string;
  readonly tokenHash: Buffer;
  readonly ttlDays: number;
}

const storedTokenRow = z
  .object({
    id: z.string(),
    family_id: z.string(),
    account_id: z.string(),
    expires_at: z.date(),
    used_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
  })
  .transform((row): StoredRefreshToken => ({
    id: row.id,
    familyId: row.family_id,
    accountId: row.account_id,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
  }));

const familyRow = z.object({ family_id: z.string() });

/** The refresh_tokens table: tokens by the hash of their value, in families (one per login). */
@Injectable()
export class RefreshTokensRepository {
  /** The token with this hash, locked until the transaction ends; null when there is none. */
  async lockByHash(manager: EntityManager, tokenHash: Buffer): Promise<StoredRefreshToken | null> {
    const [stored] = await queryRows(
      manager,
      {
        name: 'refreshTokens.lockByHash',
        row: storedTokenRow,
        sql: `SELECT id, family_id, account_id, expires_at, used_at, revoked_at FROM refresh_tokens
         WHERE token_hash = $1 FOR UPDATE`,
      },
      [tokenHash],
    );
    return stored ?? null;
  }

  /** The family of the token with this hash; null when there is none. */
  async familyOf(manager: EntityManager, tokenHash: Buffer): Promise<string | null> {
    const [stored] = await queryRows(
      manager,
      {
        name: 'refreshTokens.familyOf',
        row: familyRow,
        sql: 'SELECT family_id FROM refresh_tokens WHERE token_hash = $1',
      },
      [tokenHash],
    );
    return stored?.family_id ?? null;
  }

  async markUsed(manager: EntityManager, tokenId: string): Promise<void> {
    await manager.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [tokenId]);
  }

  /** Revokes the family's tokens not revoked yet, with the reason. */
  async revokeFamily(manager: EntityManager, familyId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    );
  }

  /** Revokes every live token of the account, with the reason; how many. */
  async revokeAllOfAccount(manager: EntityManager, accountId: string, reason: string): Promise<number> {
    return queryAffected(
      manager,
      'refreshTokens.revokeAllOfAccount',
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE account_id = $1 AND revoked_at IS NULL`,
      [accountId, reason],
    );
  }

  /** Stores a token that expires `ttlDays` from now (the database's now). */
  async insert(manager: EntityManager, token: NewRefreshToken): Promise<void> {
    await manager.query(
      `INSERT INTO refresh_tokens (id, family_id, account_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
      [token.id, token.familyId, token.accountId, token.tokenHash, token.ttlDays],
    );
  }
}
