import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A meter's unit and the bound on one subscriber's usage of one service in a period (#18). Meters defined
 * before get the defaults of `defaultMeterMeasure` (libs/contracts): `*_seconds` meters count seconds, at
 * most one per second of the period; any other meter counts units, at most 1000 per second.
 */
export class MeterMeasures1764700000200 implements MigrationInterface {
  name = 'MeterMeasures1764700000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE meters
        ADD COLUMN unit text NOT NULL DEFAULT 'unit' CHECK (unit ~ '^[a-z][a-z0-9_]{0,31}$'),
        ADD COLUMN bound_per text NOT NULL DEFAULT 'second' CHECK (bound_per IN ('second', 'period')),
        ADD COLUMN bound_max bigint NOT NULL DEFAULT 1000 CHECK (bound_max > 0)`);
    await queryRunner.query(`UPDATE meters SET unit = 'second', bound_max = 1 WHERE name LIKE '%\\_seconds'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE meters DROP COLUMN unit, DROP COLUMN bound_per, DROP COLUMN bound_max`,
    );
  }
}
