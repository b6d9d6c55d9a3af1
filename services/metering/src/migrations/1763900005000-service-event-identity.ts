import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A usage event's identity is (service, source, id), no longer (source, id) alone (#18): a service reusing
 * another's source and id made the other's real event a "duplicate" (dropped) and told it that the event
 * existed. Corrections are events of a service too, and correct only an event of their own service.
 */
export class ServiceEventIdentity1763900005000 implements MigrationInterface {
  name = 'ServiceEventIdentity1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE usage_corrections
        DROP CONSTRAINT usage_corrections_original_source_original_event_id_fkey,
        DROP CONSTRAINT usage_corrections_pkey`);
    await queryRunner.query(`DROP INDEX usage_corrections_original`);
    await queryRunner.query(`
      ALTER TABLE usage_events
        DROP CONSTRAINT usage_events_pkey,
        ADD PRIMARY KEY (service_id, source, event_id)`);
    await queryRunner.query(`
      ALTER TABLE usage_corrections
        ADD PRIMARY KEY (service_id, source, event_id),
        ADD FOREIGN KEY (service_id, original_source, original_event_id)
          REFERENCES usage_events (service_id, source, event_id)`);
    await queryRunner.query(
      `CREATE INDEX usage_corrections_original ON usage_corrections (service_id, original_source, original_event_id)`,
    );
  }

  down(): Promise<void> {
    throw new Error('forward only: events of two services may now share a (source, id)');
  }
}
