import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class DeploymentClaims1765600000000 implements MigrationInterface {
  name = 'DeploymentClaims1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Which replica's reconcile loop is working a deployment, and until when its claim holds (a crashed
    // replica's claim lapses). Claimed with FOR UPDATE SKIP LOCKED, so replicas share the due rows.
    await queryRunner.query(`ALTER TABLE deployments ADD COLUMN reconcile_claim uuid`);
    await queryRunner.query(`ALTER TABLE deployments ADD COLUMN reconcile_claimed_until timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE deployments DROP COLUMN reconcile_claimed_until`);
    await queryRunner.query(`ALTER TABLE deployments DROP COLUMN reconcile_claim`);
  }
}
