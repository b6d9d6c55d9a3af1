import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Organizations1763900003000 implements MigrationInterface {
  name = 'Organizations1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        kind text NOT NULL CHECK (kind IN ('developer', 'operator', 'provider', 'partner')),
        created_by uuid NOT NULL REFERENCES accounts (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Names are unique per kind, ignoring case: two operators called "Acme" would confuse everyone.
    await queryRunner.query(
      `CREATE UNIQUE INDEX organizations_kind_name_key ON organizations (kind, lower(name))`,
    );
    await queryRunner.query(`
      CREATE TABLE memberships (
        organization_id uuid NOT NULL REFERENCES organizations (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        role text NOT NULL CHECK (role IN ('owner', 'member')),
        granted_by uuid REFERENCES accounts (id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX memberships_account ON memberships (account_id)`);
    await queryRunner.query(`
      CREATE TABLE platform_roles (
        account_id uuid NOT NULL REFERENCES accounts (id),
        role text NOT NULL CHECK (role IN ('admin')),
        granted_by uuid REFERENCES accounts (id),
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, role)
      )`);
    // Only the SHA-256 of a key is kept; the key is shown once, at creation.
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations (id),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        key_hash bytea NOT NULL UNIQUE,
        display_prefix text NOT NULL,
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
        service_id uuid,
        created_by uuid NOT NULL REFERENCES accounts (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_by uuid REFERENCES accounts (id),
        last_used_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_organization ON api_keys (organization_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys, platform_roles, memberships, organizations`);
  }
}
