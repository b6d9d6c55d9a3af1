import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Corrections1763900004000 implements MigrationInterface {
  name = 'Corrections1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A correction is an event of its own (its (source, id) counts once) naming the event it corrects.
    await queryRunner.query(`
      CREATE TABLE usage_corrections (
        source text NOT NULL,
        event_id text NOT NULL,
        original_source text NOT NULL,
        original_event_id text NOT NULL,
        subscriber_id uuid NOT NULL,
        service_id uuid NOT NULL,
        meter text NOT NULL,
        delta bigint NOT NULL CHECK (delta <> 0),
        period text NOT NULL,
        original_period text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, event_id),
        FOREIGN KEY (original_source, original_event_id) REFERENCES usage_events (source, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX usage_corrections_original ON usage_corrections (original_source, original_event_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE usage_corrections`);
  }
}
