import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PeriodAdjustments1765100000000 implements MigrationInterface {
  name = 'PeriodAdjustments1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Metering's corrections of usage in sealed periods (ClosedPeriodUsageCorrected), one row per correction:
    // a service's event identity (source, id) is its own. They never change a close's input; an adjustment of
    // the closed period applies them.
    await queryRunner.query(`
      CREATE TABLE closed_period_corrections (
        service_id uuid NOT NULL,
        correction_source text NOT NULL,
        correction_id text NOT NULL,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        subscriber_id uuid NOT NULL,
        meter text NOT NULL,
        delta numeric(40, 0) NOT NULL CHECK (delta <> 0),
        original_source text NOT NULL,
        original_id text NOT NULL,
        original_quantity numeric(40, 0) NOT NULL,
        corrected_at timestamptz NOT NULL,
        PRIMARY KEY (service_id, correction_source, correction_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX closed_period_corrections_period ON closed_period_corrections (period)`,
    );
    // Each adjustment of a closed period: the allocation recomputed on the close's input with every correction so
    // far, and what its difference to the previous allocation posted in which open period. Final, like a close.
    await queryRunner.query(`
      CREATE TABLE period_adjustments (
        period text NOT NULL REFERENCES period_closes (period),
        sequence integer NOT NULL CHECK (sequence > 0),
        posted_in text NOT NULL CHECK (posted_in ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        transaction_key text UNIQUE,
        total numeric(40, 0) NOT NULL CHECK (total >= 0),
        merkle_root text NOT NULL,
        previous_merkle_root text NOT NULL,
        allocation json NOT NULL,
        differences json NOT NULL,
        payables json NOT NULL,
        price_num numeric(60, 0) NOT NULL CHECK (price_num > 0),
        price_den numeric(60, 0) NOT NULL CHECK (price_den > 0),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        adjusted_by text NOT NULL,
        adjusted_at timestamptz NOT NULL,
        PRIMARY KEY (period, sequence)
      )`);
    // Which adjustment applied each correction: at most one (the primary key), so none is counted twice.
    await queryRunner.query(`
      CREATE TABLE period_adjustment_corrections (
        service_id uuid NOT NULL,
        correction_source text NOT NULL,
        correction_id text NOT NULL,
        period text NOT NULL,
        sequence integer NOT NULL,
        applied boolean NOT NULL,
        not_applied_reason text CHECK ((not_applied_reason IS NULL) = applied),
        PRIMARY KEY (service_id, correction_source, correction_id),
        FOREIGN KEY (service_id, correction_source, correction_id)
          REFERENCES closed_period_corrections (service_id, correction_source, correction_id),
        FOREIGN KEY (period, sequence) REFERENCES period_adjustments (period, sequence)
      )`);
    await queryRunner.query(
      `CREATE INDEX period_adjustment_corrections_by_adjustment ON period_adjustment_corrections (period, sequence)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION period_adjustments_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'an adjustment is final: % on % is not allowed', TG_OP, TG_TABLE_NAME;
      END $$`);
    for (const table of ['period_adjustments', 'period_adjustment_corrections']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_final BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION period_adjustments_are_final()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION period_adjustments_are_final()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE period_adjustment_corrections, period_adjustments, closed_period_corrections`,
    );
    await queryRunner.query(`DROP FUNCTION period_adjustments_are_final()`);
  }
}
