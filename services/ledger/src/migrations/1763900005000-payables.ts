import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Payables1763900005000 implements MigrationInterface {
  name = 'Payables1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Payees' auto-redeem choices (payouts' events); a participant with no row auto-redeems (the default).
    await queryRunner.query(`
      CREATE TABLE payee_preferences (
        holder text PRIMARY KEY,
        auto_redeem boolean NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payee_preferences`);
  }
}
