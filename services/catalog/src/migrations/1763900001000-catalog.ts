import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Catalog1763900001000 implements MigrationInterface {
  name = 'Catalog1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Catalog's own copy of identity's facts it checks against (it never reads identity's tables).
    await queryRunner.query(`
      CREATE TABLE known_accounts (
        account_id uuid PRIMARY KEY,
        registered_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE known_organizations (
        organization_id uuid PRIMARY KEY,
        kind text NOT NULL,
        name text NOT NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        repository_url text NOT NULL,
        license text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX apps_name_key ON apps (lower(name))`);

    await queryRunner.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        description text NOT NULL DEFAULT '',
        package_names text[] NOT NULL DEFAULT '{}',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX projects_name_key ON projects (lower(name))`);
    await queryRunner.query(`CREATE INDEX projects_package_names ON projects USING gin (package_names)`);

    // A project's allocation contract, one immutable row per version; the highest version whose period
    // has begun is the one in force.
    await queryRunner.query(`
      CREATE TABLE contract_versions (
        project_id uuid NOT NULL REFERENCES projects (id),
        version integer NOT NULL CHECK (version >= 1),
        effective_from text NOT NULL CHECK (effective_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        dependencies_bps integer NOT NULL CHECK (dependencies_bps BETWEEN 0 AND 10000),
        members jsonb NOT NULL,
        published_by uuid NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, version)
      )`);

    await queryRunner.query(`
      CREATE TABLE project_dependencies (
        project_id uuid NOT NULL REFERENCES projects (id),
        dependency_id uuid NOT NULL REFERENCES projects (id),
        weight bigint NOT NULL CHECK (weight > 0),
        PRIMARY KEY (project_id, dependency_id),
        CHECK (project_id <> dependency_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE service_types (
        name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
        provider_bps integer NOT NULL CHECK (provider_bps BETWEEN 0 AND 10000),
        developer_bps integer NOT NULL CHECK (developer_bps BETWEEN 0 AND 10000),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE meters (
        name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
        weight bigint NOT NULL CHECK (weight >= 0),
        description text NOT NULL DEFAULT '',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE services (
        id uuid PRIMARY KEY,
        operator_id uuid NOT NULL,
        app_id uuid NOT NULL REFERENCES apps (id),
        project_id uuid REFERENCES projects (id),
        type text NOT NULL REFERENCES service_types (name),
        domain text NOT NULL,
        provider_bps integer CHECK (provider_bps BETWEEN 0 AND 10000),
        developer_bps integer CHECK (developer_bps BETWEEN 0 AND 10000),
        status text NOT NULL CHECK (status IN ('active', 'suspended', 'retired')),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX services_domain_key ON services (domain)`);
    await queryRunner.query(`CREATE INDEX services_operator ON services (operator_id, id)`);

    await queryRunner.query(`
      CREATE TABLE agreements (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects (id),
        operator_id uuid NOT NULL,
        developer_bps integer NOT NULL CHECK (developer_bps BETWEEN 0 AND 10000),
        binding boolean NOT NULL DEFAULT false,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, operator_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE agreements, services, meters, service_types, project_dependencies,
      contract_versions, projects, apps, known_organizations, known_accounts`);
  }
}
