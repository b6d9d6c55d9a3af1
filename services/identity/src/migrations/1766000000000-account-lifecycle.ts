import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Email verification, password reset and deletion of accounts, and the mail they send. */
export class AccountLifecycle1766000000000 implements MigrationInterface {
  name = 'AccountLifecycle1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A deleted account keeps its id (the ledger and payouts know only that) and loses its personal data: the
    // email becomes a tombstone no address can equal and no one can register or log in with, the hash goes.
    await queryRunner.query(`ALTER TABLE accounts ADD COLUMN deleted_at timestamptz`);
    await queryRunner.query(`
      ALTER TABLE accounts ADD CONSTRAINT accounts_deleted_erased
        CHECK (deleted_at IS NULL OR (email = 'deleted:' || id::text AND password_hash = ''))`);
    // Emailed links carry 256 random bits; only their SHA-256 is kept. Single use, short-lived.
    await queryRunner.query(`
      CREATE TABLE account_tokens (
        token_hash bytea PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        purpose text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX account_tokens_live ON account_tokens (account_id, purpose)
        WHERE used_at IS NULL AND revoked_at IS NULL`,
    );
    // Ending every session of an account finds its live refresh tokens without scanning them all.
    await queryRunner.query(
      `CREATE INDEX refresh_tokens_live_of_account ON refresh_tokens (account_id) WHERE revoked_at IS NULL`,
    );
    // Mail written in the transaction that causes it, sent by any replica (FOR UPDATE SKIP LOCKED), deleted once
    // the SMTP server took it. The content (it may hold a link's token) is sealed under the key encryption key.
    await queryRunner.query(`
      CREATE TABLE outgoing_mail (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        recipient text NOT NULL,
        template text NOT NULL,
        content_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        failed_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX outgoing_mail_due ON outgoing_mail (next_attempt_at) WHERE failed_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX outgoing_mail_of_account ON outgoing_mail (account_id)`);
  }

  down(): Promise<void> {
    throw new Error('forward only: erased accounts cannot be restored');
  }
}
