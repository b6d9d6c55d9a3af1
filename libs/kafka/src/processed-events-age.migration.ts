import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An index that finds a consumer group's processed-event records of one topic by age, so the pruner
 * (`pruneProcessedEvents`) deletes old records in small slices without scanning the table, and lists the
 * (group, topic) pairs present by skipping through it. Built CONCURRENTLY, outside a transaction: on a
 * large table a plain build would block every consumer's insert for its whole duration. A build that died
 * half-way leaves an invalid index, dropped and built again here.
 */
export class ProcessedEventsAge1765310000000 implements MigrationInterface {
  name = 'ProcessedEventsAge1765310000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    const invalid: unknown[] = await queryRunner.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname = 'processed_events_age_idx' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
         AND NOT i.indisvalid`,
    );
    if (invalid.length > 0) await queryRunner.query('DROP INDEX CONCURRENTLY processed_events_age_idx');
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS processed_events_age_idx
       ON processed_events (consumer_group, topic, processed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS processed_events_age_idx');
  }
}
