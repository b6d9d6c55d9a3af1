import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Catalog's services as identity knows them (for service-bound keys) and invitations to organizations. */
export class TrustBoundaries1763900005000 implements MigrationInterface {
  name = 'TrustBoundaries1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A projection of catalog.events.v1: which organization operates a service, and whether it is active.
    await queryRunner.query(`
      CREATE TABLE catalog_services (
        service_id uuid PRIMARY KEY,
        operator_id uuid NOT NULL,
        status text NOT NULL
      )`);
    // Nobody becomes a member without saying yes: an owner invites, the invitee accepts or declines.
    await queryRunner.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        role text NOT NULL CHECK (role IN ('owner', 'member')),
        invited_by uuid NOT NULL REFERENCES accounts (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'accepted', 'declined', 'cancelled')),
        decided_at timestamptz,
        CHECK ((state = 'pending') = (decided_at IS NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX invitations_pending_key ON invitations (organization_id, account_id)
        WHERE state = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX invitations_pending_of_account ON invitations (account_id, id) WHERE state = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE invitations, catalog_services`);
  }
}
