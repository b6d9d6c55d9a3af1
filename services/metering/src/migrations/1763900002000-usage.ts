import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Usage1763900002000 implements MigrationInterface {
  name = 'Usage1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Projections of catalog's facts: which meters exist and which operator runs each service.
    await queryRunner.query(`
      CREATE TABLE meters (
        name text PRIMARY KEY,
        weight bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE services (
        service_id uuid PRIMARY KEY,
        operator_id uuid NOT NULL,
        status text NOT NULL
      )`);
    // Every accepted usage event, once: (source, id) is the event's identity (CloudEvents), and the unique
    // key is what makes counting exactly-once, in the same transaction as the aggregates.
    await queryRunner.query(`
      CREATE TABLE usage_events (
        source text NOT NULL,
        event_id text NOT NULL,
        subscriber_id uuid NOT NULL,
        service_id uuid NOT NULL,
        meter text NOT NULL,
        quantity bigint NOT NULL CHECK (quantity >= 0),
        period text NOT NULL,
        event_time timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE usage_aggregates (
        period text NOT NULL,
        subscriber_id uuid NOT NULL,
        service_id uuid NOT NULL,
        meter text NOT NULL,
        quantity numeric(40, 0) NOT NULL,
        events bigint NOT NULL,
        PRIMARY KEY (period, subscriber_id, service_id, meter)
      )`);
    await queryRunner.query(`CREATE INDEX usage_aggregates_service ON usage_aggregates (period, service_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE usage_aggregates, usage_events, services, meters`);
  }
}
