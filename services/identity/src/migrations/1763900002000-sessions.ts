import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Sessions1763900002000 implements MigrationInterface {
  name = 'Sessions1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Private keys are stored encrypted (AES-256-GCM under IDENTITY_KEY_ENCRYPTION_KEY), never in the clear.
    await queryRunner.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        algorithm text NOT NULL CHECK (algorithm = 'EdDSA'),
        public_jwk jsonb NOT NULL,
        private_key_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL`,
    );
    // Refresh tokens rotate on every use; a family is one login. Only a SHA-256 of the token is stored.
    await queryRunner.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL,
        account_id uuid NOT NULL REFERENCES accounts (id),
        token_hash bytea NOT NULL UNIQUE,
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await queryRunner.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE refresh_tokens');
    await queryRunner.query('DROP TABLE signing_keys');
  }
}
