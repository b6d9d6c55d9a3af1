import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * docs/trust-rules.md "the close uses the terms in force for its period": each service's share overrides and each
 * agreement's terms, with the period from which they apply. The terms in force for period P are the latest row
 * with `effective_from <= P`, else the earliest (a service's first terms hold for all of its past). Terms known
 * before this migration hold since always ('0000-01').
 */
export class TermsByPeriod1764600000000 implements MigrationInterface {
  name = 'TermsByPeriod1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE service_terms (
        service_id uuid NOT NULL,
        effective_from text NOT NULL CHECK (effective_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        provider_bps integer,
        developer_bps integer,
        PRIMARY KEY (service_id, effective_from)
      )`);
    await queryRunner.query(`
      INSERT INTO service_terms (service_id, effective_from, provider_bps, developer_bps)
      SELECT service_id, '0000-01', provider_bps, developer_bps FROM services`);
    await queryRunner.query(`
      CREATE TABLE agreement_terms (
        agreement_id uuid NOT NULL,
        effective_from text NOT NULL CHECK (effective_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        developer_bps integer NOT NULL,
        binding boolean NOT NULL,
        PRIMARY KEY (agreement_id, effective_from)
      )`);
    await queryRunner.query(`
      INSERT INTO agreement_terms (agreement_id, effective_from, developer_bps, binding)
      SELECT agreement_id, '0000-01', developer_bps, binding FROM agreements`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE agreement_terms, service_terms');
  }
}
