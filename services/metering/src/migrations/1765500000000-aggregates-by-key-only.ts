import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `usage_aggregates` keeps only its primary key (#25). The (period, service_id) index served no query, and it
 * misled the planner: with a fresh period, or statistics not yet gathered, it estimated one row per
 * (period, service) and locked each of a request's aggregates through it, reading every aggregate of the
 * service (3,574 rows filtered per lookup, 1.3 s for a request of 1,000 subscribers, measured with
 * auto_explain on `./dev bench pipeline`). Without it every lookup is the primary key's, and updating an
 * aggregate's sums touches no index (a HOT update). Dropped CONCURRENTLY: ingestion goes on meanwhile.
 */
export class AggregatesByKeyOnly1765500000000 implements MigrationInterface {
  name = 'AggregatesByKeyOnly1765500000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS usage_aggregates_service');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS usage_aggregates_service ON usage_aggregates (period, service_id)',
    );
  }
}
