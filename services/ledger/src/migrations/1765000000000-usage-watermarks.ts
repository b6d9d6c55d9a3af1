import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * docs/trust-rules.md "a close holds everything acknowledged for its period": what the ledger applied of metering's usage
 * announcements per period, metering's watermark (how many it published before it sealed the period), and the
 * ledger's requests to close (which make metering seal).
 */
export class UsageWatermarks1765000000000 implements MigrationInterface {
  name = 'UsageWatermarks1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per (period, partition of metering.usage.v1), summed when read: a partition is applied one message
    // at a time, so no two consumers ever wait on the same counter.
    await queryRunner.query(`
      CREATE TABLE usage_applied_counts (
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        kafka_partition integer NOT NULL,
        applied bigint NOT NULL CHECK (applied >= 0),
        PRIMARY KEY (period, kafka_partition)
      )`);
    await queryRunner.query(`
      CREATE TABLE usage_watermarks (
        period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        announcements numeric(20, 0) NOT NULL CHECK (announcements >= 0),
        reason text NOT NULL,
        sealed_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE period_close_requests (
        period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        forced boolean NOT NULL,
        first_requested_at timestamptz NOT NULL,
        last_requested_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE period_close_requests, usage_watermarks, usage_applied_counts');
  }
}
