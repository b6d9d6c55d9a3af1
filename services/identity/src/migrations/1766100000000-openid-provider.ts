import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class OpenIdProvider1766100000000 implements MigrationInterface {
  name = 'OpenIdProvider1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An app's OpenID client, registered by the organization that operates its service. The secret is sealed
    // (AES-256-GCM under IDENTITY_KEY_ENCRYPTION_KEY): client_secret_basic needs it to compare, so a hash
    // would not do; it is shown once, at creation or rotation.
    await queryRunner.query(`
      CREATE TABLE oidc_clients (
        client_id text PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations (id),
        service_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        secret_sealed text NOT NULL,
        secret_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NOT NULL REFERENCES accounts (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX oidc_clients_organization ON oidc_clients (organization_id) WHERE deleted_at IS NULL`,
    );
    // What the provider keeps between requests (sessions, interactions, grants, codes, tokens), one row each.
    // account_id and grant_id are copied out of the payload so an account's sessions and a grant's tokens can
    // be ended in one statement.
    await queryRunner.query(`
      CREATE TABLE oidc_artifacts (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        account_id uuid,
        grant_id text,
        uid text,
        expires_at timestamptz,
        consumed_at timestamptz,
        PRIMARY KEY (model, id)
      )`);
    await queryRunner.query(
      `CREATE INDEX oidc_artifacts_grant ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX oidc_artifacts_uid ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX oidc_artifacts_account ON oidc_artifacts (account_id) WHERE account_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX oidc_artifacts_expiry ON oidc_artifacts (expires_at)`);
    // The ID token signing key (RS256, which every relying party supports), sealed like the access tokens' keys.
    await queryRunner.query(`
      CREATE TABLE oidc_signing_keys (
        kid text PRIMARY KEY,
        private_jwk_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE oidc_signing_keys, oidc_artifacts, oidc_clients');
  }
}
