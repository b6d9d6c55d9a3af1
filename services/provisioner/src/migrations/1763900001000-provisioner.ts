import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Provisioner1763900001000 implements MigrationInterface {
  name = 'Provisioner1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The provisioner's copy of catalog's services: who operates each (it never reads catalog's tables).
    await queryRunner.query(`
      CREATE TABLE known_services (
        service_id uuid PRIMARY KEY,
        operator_id uuid NOT NULL,
        domain text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'suspended', 'retired'))
      )`);

    // A provider organization's account at a cloud API. The API token is sealed (AES-256-GCM) at rest.
    await queryRunner.query(`
      CREATE TABLE provider_accounts (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        api text NOT NULL CHECK (api IN ('hetzner', 'digitalocean')),
        base_url text NOT NULL,
        credentials_sealed text NOT NULL,
        image text NOT NULL,
        regions text[] NOT NULL,
        sizes jsonb NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        max_servers integer NOT NULL CHECK (max_servers >= 0),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      )`);

    // What the provider's rate-limit headers last said, shared by every replica; a 429 blocks until reset.
    await queryRunner.query(`
      CREATE TABLE provider_rate_budgets (
        provider_account_id uuid PRIMARY KEY REFERENCES provider_accounts (id),
        request_limit integer,
        remaining integer,
        resets_at timestamptz,
        blocked_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE deployments (
        id uuid PRIMARY KEY,
        service_id uuid NOT NULL REFERENCES known_services (service_id),
        operator_id uuid NOT NULL,
        provider_account_id uuid NOT NULL REFERENCES provider_accounts (id),
        provider_id uuid NOT NULL,
        region text NOT NULL,
        size text NOT NULL,
        points_per_second bigint NOT NULL CHECK (points_per_second >= 0),
        desired text NOT NULL CHECK (desired IN ('present', 'absent')),
        phase text NOT NULL
          CHECK (phase IN ('Pending', 'Provisioning', 'Running', 'Failed', 'Deleting', 'Absent')),
        conditions jsonb NOT NULL DEFAULT '[]',
        server_name text NOT NULL UNIQUE,
        resource_id text,
        attempt integer NOT NULL DEFAULT 0,
        next_reconcile_at timestamptz,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One live deployment of a service per provider account.
    await queryRunner.query(`CREATE UNIQUE INDEX deployments_live_key ON deployments (service_id, provider_account_id)
      WHERE phase <> 'Absent'`);
    await queryRunner.query(`CREATE INDEX deployments_due ON deployments (next_reconcile_at)
      WHERE next_reconcile_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX deployments_operator ON deployments (operator_id, id)`);

    // Intent, written and committed before every provider call that changes something: after a crash the
    // next reconcile knows what might have happened and looks before it acts again.
    await queryRunner.query(`
      CREATE TABLE provider_operations (
        id uuid PRIMARY KEY,
        deployment_id uuid NOT NULL REFERENCES deployments (id),
        kind text NOT NULL CHECK (kind IN ('create', 'delete')),
        state text NOT NULL CHECK (state IN ('intended', 'submitted', 'unknown', 'succeeded', 'failed')),
        resource_id text,
        action_id text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX provider_operations_deployment ON provider_operations (deployment_id, id)`,
    );

    // When a deployment's server was seen running: the uptime its resource usage is computed from.
    await queryRunner.query(`
      CREATE TABLE deployment_uptime (
        deployment_id uuid NOT NULL REFERENCES deployments (id),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        PRIMARY KEY (deployment_id, started_at),
        CHECK (ended_at IS NULL OR ended_at >= started_at)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX deployment_uptime_open ON deployment_uptime (deployment_id)
      WHERE ended_at IS NULL`);

    // The last resource usage announced per (period, service, provider): a report goes out when it grows.
    await queryRunner.query(`
      CREATE TABLE resource_usage_reports (
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        service_id uuid NOT NULL,
        provider_id uuid NOT NULL,
        points numeric(40, 0) NOT NULL CHECK (points >= 0),
        uptime_seconds bigint NOT NULL CHECK (uptime_seconds >= 0),
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (period, service_id, provider_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE resource_usage_reports, deployment_uptime, provider_operations, deployments,
      provider_rate_budgets, provider_accounts, known_services`);
  }
}
