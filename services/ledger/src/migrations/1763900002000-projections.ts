import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The ledger's own copies of other services' facts: everything a period's allocation input needs. */
export class Projections1763900002000 implements MigrationInterface {
  name = 'Projections1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscribers (
        subscriber_id uuid PRIMARY KEY,
        registered_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE TABLE meters (name text PRIMARY KEY, weight numeric(40, 0) NOT NULL)`);
    await queryRunner.query(`
      CREATE TABLE service_types (
        name text PRIMARY KEY,
        provider_bps integer NOT NULL,
        developer_bps integer NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE services (
        service_id uuid PRIMARY KEY,
        operator_id uuid NOT NULL,
        app_id uuid NOT NULL,
        project_id uuid,
        type text NOT NULL,
        provider_bps integer,
        developer_bps integer,
        status text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE projects (
        project_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        name text NOT NULL
      )`);
    // Every published version; the one in force for period P is the latest `effective_from <= P`.
    await queryRunner.query(`
      CREATE TABLE contract_versions (
        project_id uuid NOT NULL,
        version integer NOT NULL,
        effective_from text NOT NULL,
        dependencies_bps integer NOT NULL,
        PRIMARY KEY (project_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE contract_members (
        project_id uuid NOT NULL,
        version integer NOT NULL,
        account_id uuid NOT NULL,
        weight numeric(40, 0) NOT NULL,
        PRIMARY KEY (project_id, version, account_id),
        FOREIGN KEY (project_id, version) REFERENCES contract_versions (project_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE project_dependencies (
        project_id uuid NOT NULL,
        dependency_id uuid NOT NULL,
        weight numeric(40, 0) NOT NULL,
        PRIMARY KEY (project_id, dependency_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE agreements (
        agreement_id uuid PRIMARY KEY,
        project_id uuid NOT NULL,
        operator_id uuid NOT NULL,
        developer_bps integer NOT NULL,
        binding boolean NOT NULL
      )`);
    // Usage quantities folded from metering's UsageRecorded deltas; weights = quantity × meter weight.
    await queryRunner.query(`
      CREATE TABLE usage_quantities (
        period text NOT NULL,
        subscriber_id uuid NOT NULL,
        service_id uuid NOT NULL,
        meter text NOT NULL,
        quantity numeric(40, 0) NOT NULL,
        PRIMARY KEY (period, subscriber_id, service_id, meter)
      )`);
    // Resource points per provider for a service in a period (docs/money-rules.md step 2). Filled by the
    // provisioner's resource-usage events once the provisioner publishes them; until then it stays empty
    // and every provider share goes to the operator, as the design says for services with no points.
    await queryRunner.query(`
      CREATE TABLE provider_resource_points (
        period text NOT NULL,
        service_id uuid NOT NULL,
        provider_id uuid NOT NULL,
        points numeric(40, 0) NOT NULL CHECK (points >= 0),
        PRIMARY KEY (period, service_id, provider_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE provider_resource_points, usage_quantities, agreements, project_dependencies,
                  contract_members, contract_versions, projects, services, service_types, meters, subscribers`,
    );
  }
}
