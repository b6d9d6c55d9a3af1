import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Accounts1763900001000 implements MigrationInterface {
  name = 'Accounts1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        email_verified boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_email_normalised CHECK (email = lower(btrim(email)))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX accounts_email_key ON accounts (email)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE accounts`);
  }
}
