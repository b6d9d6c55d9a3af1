import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PeriodCloseUsage1763900004000 implements MigrationInterface {
  name = 'PeriodCloseUsage1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The usage rows a close allocated, as rows: at a million subscribers they would not fit one json value
    // (period_closes.input keeps the rest of the input; together they are the exact input used).
    await queryRunner.query(`
      CREATE TABLE period_close_usage (
        period text NOT NULL,
        subscriber_id uuid NOT NULL,
        service_id uuid NOT NULL,
        meter text NOT NULL,
        quantity numeric(40, 0) NOT NULL
      )`);
    // No primary key: the rows come from usage_quantities' key, unique by construction, and maintaining a
    // second index on random uuids was most of a large close's time. Reads go by period.
    await queryRunner.query(`CREATE INDEX period_close_usage_period ON period_close_usage (period)`);
    await queryRunner.query(`
      CREATE TRIGGER period_close_usage_final BEFORE UPDATE OR DELETE ON period_close_usage
        FOR EACH ROW EXECUTE FUNCTION period_closes_are_final()`);
    await queryRunner.query(`
      CREATE TRIGGER period_close_usage_no_truncate BEFORE TRUNCATE ON period_close_usage
        FOR EACH STATEMENT EXECUTE FUNCTION period_closes_are_final()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE period_close_usage`);
  }
}
