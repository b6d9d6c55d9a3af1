import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * docs/trust-rules.md: a change that lowers another party's share applies from the next period. The scheduled terms wait
 * beside the ones in force until their period begins; an admin may approve an operator's agreement for binding.
 */
export class ScheduledTerms1764600000000 implements MigrationInterface {
  name = 'ScheduledTerms1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE services
        ADD COLUMN scheduled_provider_bps integer CHECK (scheduled_provider_bps BETWEEN 0 AND 10000),
        ADD COLUMN scheduled_developer_bps integer CHECK (scheduled_developer_bps BETWEEN 0 AND 10000),
        ADD COLUMN scheduled_from text CHECK (scheduled_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')`);
    await queryRunner.query(`
      ALTER TABLE agreements
        ADD COLUMN scheduled_developer_bps integer CHECK (scheduled_developer_bps BETWEEN 0 AND 10000),
        ADD COLUMN scheduled_binding boolean,
        ADD COLUMN scheduled_from text CHECK (scheduled_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        ADD COLUMN binding_approved_by uuid,
        ADD COLUMN binding_approved_at timestamptz,
        ADD CHECK ((scheduled_from IS NULL) = (scheduled_developer_bps IS NULL)
                   AND (scheduled_from IS NULL) = (scheduled_binding IS NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE agreements DROP COLUMN scheduled_developer_bps, DROP COLUMN scheduled_binding,
      DROP COLUMN scheduled_from, DROP COLUMN binding_approved_by, DROP COLUMN binding_approved_at`);
    await queryRunner.query(`ALTER TABLE services DROP COLUMN scheduled_provider_bps,
      DROP COLUMN scheduled_developer_bps, DROP COLUMN scheduled_from`);
  }
}
