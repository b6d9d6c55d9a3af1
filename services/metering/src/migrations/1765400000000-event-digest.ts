import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A narrower deduplication key (#25): `usage_events` is unique by a 16-byte digest of the event's identity
 * (service, source, id) instead of the three text columns, so its index holds 16-byte keys instead of ~100
 * (fewer pages touched per insert, fewer full-page images after a checkpoint). Existing rows get their
 * digest; the identity columns stay. A correction now names its original by that digest.
 *
 * `usage_event_digest` computes the bytes metering computes (`src/ingest/event-digest.ts`, the rule's home;
 * a test checks the two agree): it backfills here and lets an operator find an event by its identity. The
 * text goes through `decode(…, 'escape')` (backslashes doubled first) rather than `convert_to`, which is only
 * stable, so that the function stays immutable; the database encoding is UTF-8 (checked below).
 */
export class EventDigest1765400000000 implements MigrationInterface {
  name = 'EventDigest1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [encoding] = (await queryRunner.query(
      `SELECT pg_encoding_to_char(encoding) AS name FROM pg_database WHERE datname = current_database()`,
    )) as { name: string }[];
    if (encoding?.name !== 'UTF8')
      throw new Error(`usage_event_digest needs a UTF8 database, this one is ${encoding?.name}`);
    await queryRunner.query(`
      CREATE FUNCTION usage_event_digest(service_id uuid, source text, event_id text) RETURNS bytea
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN substring(sha256(uuid_send(service_id) || int4send(octet_length(source))
                                || decode(replace(source || event_id, '\\', '\\\\'), 'escape')) FROM 1 FOR 16)`);
    await queryRunner.query(`
      ALTER TABLE usage_events ADD COLUMN event_digest bytea`);
    await queryRunner.query(
      `UPDATE usage_events SET event_digest = usage_event_digest(service_id, source, event_id)`,
    );
    await queryRunner.query(`
      ALTER TABLE usage_corrections ADD COLUMN original_digest bytea`);
    await queryRunner.query(
      `UPDATE usage_corrections SET original_digest = usage_event_digest(service_id, original_source, original_event_id)`,
    );
    // Its name was made by Postgres (and cut to 63 characters): looked up rather than spelled out.
    const [reference] = (await queryRunner.query(
      `SELECT conname AS name FROM pg_constraint
        WHERE conrelid = 'usage_corrections'::regclass AND confrelid = 'usage_events'::regclass`,
    )) as { name: string }[];
    if (!reference) throw new Error('usage_corrections has no foreign key to usage_events');
    await queryRunner.query(`
      ALTER TABLE usage_corrections
        DROP CONSTRAINT "${reference.name}",
        ALTER COLUMN original_digest SET NOT NULL`);
    await queryRunner.query(`
      ALTER TABLE usage_events
        ALTER COLUMN event_digest SET NOT NULL,
        ADD CONSTRAINT usage_events_digest_length CHECK (octet_length(event_digest) = 16),
        DROP CONSTRAINT usage_events_pkey,
        ADD PRIMARY KEY (event_digest)`);
    await queryRunner.query(`
      ALTER TABLE usage_corrections
        ADD FOREIGN KEY (original_digest) REFERENCES usage_events (event_digest)`);
  }

  down(): Promise<void> {
    throw new Error('forward only: the text key is gone, and new rows may rely on the digest alone');
  }
}
