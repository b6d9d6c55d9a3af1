import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PeriodCloses1763900003000 implements MigrationInterface {
  name = 'PeriodCloses1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A closed period's result, exactly as it was computed and posted: the input (vectors' format), the
    // engine's output and its Merkle root. Written once, never changed (trigger below).
    await queryRunner.query(`
      CREATE TABLE period_closes (
        period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        total numeric(40, 0) NOT NULL CHECK (total >= 0),
        merkle_root text NOT NULL,
        input json NOT NULL,
        allocation json NOT NULL,
        forced boolean NOT NULL,
        closed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE FUNCTION period_closes_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a closed period is final: % on period_closes is not allowed', TG_OP;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER period_closes_final BEFORE UPDATE OR DELETE ON period_closes
        FOR EACH ROW EXECUTE FUNCTION period_closes_are_final()`);
    await queryRunner.query(`
      CREATE TRIGGER period_closes_no_truncate BEFORE TRUNCATE ON period_closes
        FOR EACH STATEMENT EXECUTE FUNCTION period_closes_are_final()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE period_closes`);
    await queryRunner.query(`DROP FUNCTION period_closes_are_final()`);
  }
}
