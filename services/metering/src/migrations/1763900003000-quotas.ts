import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Quotas1763900003000 implements MigrationInterface {
  name = 'Quotas1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per announced crossing: the key makes "once per threshold" hold across redeliveries.
    await queryRunner.query(`
      CREATE TABLE quota_notices (
        period text NOT NULL,
        subscriber_id uuid NOT NULL,
        meter text NOT NULL,
        threshold_percent integer NOT NULL,
        used numeric(40, 0) NOT NULL,
        quota bigint NOT NULL,
        crossed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (period, subscriber_id, meter, threshold_percent)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE quota_notices`);
  }
}
