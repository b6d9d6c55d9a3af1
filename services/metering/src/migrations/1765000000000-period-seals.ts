import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A period's watermark (#19): how many UsageRecorded metering announced for each period, and the seal that
 * fixes it when the ledger asks to close the period. Corrections of a sealed period are kept apart.
 */
export class PeriodSeals1765000000000 implements MigrationInterface {
  name = 'PeriodSeals1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A few rows per period, summed when sealing: one row would serialise every ingest of the period.
    await queryRunner.query(`
      CREATE TABLE period_announcements (
        period text NOT NULL,
        shard smallint NOT NULL CHECK (shard >= 0),
        announcements bigint NOT NULL CHECK (announcements >= 0),
        PRIMARY KEY (period, shard)
      )`);
    // What was announced before the counting began, as far as the outbox still holds it (its retention).
    await queryRunner.query(`
      INSERT INTO period_announcements (period, shard, announcements)
      SELECT payload::jsonb #>> '{data,period}', 0, count(*) FROM outbox
       WHERE event_type = 'onecommons.metering.usage.recorded.v1'
       GROUP BY 1`);
    await queryRunner.query(`
      CREATE TABLE period_seals (
        period text PRIMARY KEY,
        announcements bigint NOT NULL CHECK (announcements >= 0),
        reason text NOT NULL CHECK (reason IN ('close_requested', 'period_closed')),
        sealed_at timestamptz NOT NULL
      )`);
    // `period` is now the corrected event's period (before: the period in which the correction arrived).
    await queryRunner.query(
      `ALTER TABLE usage_corrections ADD COLUMN applied_after_seal boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`
      CREATE INDEX usage_corrections_after_seal ON usage_corrections (period, subscriber_id, service_id, meter)
       WHERE applied_after_seal`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX usage_corrections_after_seal`);
    await queryRunner.query(`ALTER TABLE usage_corrections DROP COLUMN applied_after_seal`);
    await queryRunner.query(`DROP TABLE period_seals, period_announcements`);
  }
}
