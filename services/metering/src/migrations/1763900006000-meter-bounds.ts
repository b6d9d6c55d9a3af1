import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Meters' units and bounds, from catalog's MeterDefinedV2 (#18). Rows from before get the defaults of
 * `defaultMeterMeasure` (libs/contracts), as a replay of their v1 definitions would.
 */
export class MeterBounds1763900006000 implements MigrationInterface {
  name = 'MeterBounds1763900006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE meters
        ADD COLUMN unit text NOT NULL DEFAULT 'unit',
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
