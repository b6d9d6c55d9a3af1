import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Subscribers1763900001000 implements MigrationInterface {
  name = 'Subscribers1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subscribers (
        subscriber_id uuid PRIMARY KEY,
        plan text NOT NULL,
        registered_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE subscribers`);
  }
}
