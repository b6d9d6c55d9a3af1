import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Webhooks1763900001000 implements MigrationInterface {
  name = 'Webhooks1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An endpoint belongs to an organization (its API key made it) or, with no organization, to the platform.
    // Secrets are sealed (AES-256-GCM); the previous one signs beside the new one until it expires.
    await queryRunner.query(`
      CREATE TABLE endpoints (
        id uuid PRIMARY KEY,
        organization_id uuid,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text CHECK (disabled_reason IN ('manual', 'gone')),
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (enabled = (disabled_reason IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX endpoints_by_organization ON endpoints (organization_id, id)`);
    await queryRunner.query(`CREATE INDEX endpoints_by_event_type ON endpoints USING gin (event_types)`);
    // One delivery per (endpoint, event): the body is kept byte for byte, so every attempt signs the same bytes.
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        -- Attempts since the schedule (re)started: a manual redelivery starts it again.
        round_attempts integer NOT NULL DEFAULT 0,
        -- The next attempt was asked for by the endpoint's owner (the delivery log says so).
        manual boolean NOT NULL DEFAULT false,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (endpoint_id, event_id),
        CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, id)`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    // Every attempt, as the delivery log shows it.
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        id uuid PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        number integer NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('automatic', 'manual')),
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused')),
        status_code integer,
        duration_ms integer NOT NULL,
        error text,
        response_excerpt text,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (delivery_id, number)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE delivery_attempts`);
    await queryRunner.query(`DROP TABLE deliveries`);
    await queryRunner.query(`DROP TABLE endpoints`);
  }
}
