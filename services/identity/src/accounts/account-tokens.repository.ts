import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export type AccountTokenPurpose = 'email_verification' | 'password_reset';

export interface NewAccountToken {
  readonly tokenHash: Buffer;
  readonly accountId: string;
  readonly purpose: AccountTokenPurpose;
  readonly ttlMinutes: number;
}

/** A token that can still be used: not used, not replaced, not expired, of a live account. */
const liveRow = z.object({ account_id: z.string() });

/** The account_tokens table: emailed links' tokens, by the SHA-256 of their value. */
@Injectable()
export class AccountTokensRepository {
  /** Replaces the account's live tokens of this purpose (the newest link wins). */
  async revokeLive(manager: EntityManager, accountId: string, purpose: AccountTokenPurpose): Promise<void> {
    await manager.query(
      `UPDATE account_tokens SET revoked_at = now()
        WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL AND revoked_at IS NULL`,
      [accountId, purpose],
    );
  }

  async insert(manager: EntityManager, token: NewAccountToken): Promise<void> {
    await manager.query(
      `INSERT INTO account_tokens (token_hash, account_id, purpose, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(mins => $4))`,
      [token.tokenHash, token.accountId, token.purpose, token.ttlMinutes],
    );
  }

  /** The account of the live token with this hash and purpose, locked until the transaction ends; else null. */
  lockLive(manager: EntityManager, tokenHash: Buffer, purpose: AccountTokenPurpose): Promise<string | null> {
    return this.liveAccount(manager, tokenHash, purpose, 'FOR UPDATE OF t');
  }

  /** Whether the token is live, without using it (a page shows the form only for a live link). */
  async isLive(manager: EntityManager, tokenHash: Buffer, purpose: AccountTokenPurpose): Promise<boolean> {
    return (await this.liveAccount(manager, tokenHash, purpose, '')) !== null;
  }

  private async liveAccount(
    manager: EntityManager,
    tokenHash: Buffer,
    purpose: AccountTokenPurpose,
    lock: 'FOR UPDATE OF t' | '',
  ): Promise<string | null> {
    const [row] = await queryRows(
      manager,
      {
        name: lock ? 'accountTokens.lockLive' : 'accountTokens.isLive',
        row: liveRow,
        sql: `SELECT t.account_id FROM account_tokens t JOIN accounts a ON a.id = t.account_id
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.revoked_at IS NULL
           AND t.expires_at > now() AND a.deleted_at IS NULL ${lock}`,
      },
      [tokenHash, purpose],
    );
    return row?.account_id ?? null;
  }

  async markUsed(manager: EntityManager, tokenHash: Buffer): Promise<void> {
    await manager.query('UPDATE account_tokens SET used_at = now() WHERE token_hash = $1', [tokenHash]);
  }

  async deleteOfAccount(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query('DELETE FROM account_tokens WHERE account_id = $1', [accountId]);
  }
}
