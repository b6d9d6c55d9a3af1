import { partitionByPeriod, pinnedSearchPath, runtimeRolesOf } from '@onecommons/persistence';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The tables partitioned by period, with their primary keys (each must include `period`). */
const PARTITIONED = [
  // The digest first: a lookup by identity alone (duplicates, corrections) probes each partition's index.
  { table: 'usage_events', key: 'event_digest, period' },
  { table: 'usage_aggregates', key: 'period, subscriber_id, service_id, meter' },
] as const;

/**
 * Usage partitioned by period (#26): a month of `usage_events` is about 300 GB at 10M subscribers and 1B events,
 * so each period gets its own partition, and a period older than the correction window is detached (kept as a
 * table of its own, listed in `usage_archive`, until an operator dumps and drops it: docs/runbooks/usage-archive.md).
 *
 * The rows from before become one partition covering every period up to the last one they hold (no copy: the
 * table is attached as it is, after one scan to check its periods). The service's role may not run DDL, so
 * partitions are made and detached by two SECURITY DEFINER functions owned by the migrating role, which do
 * only that and refuse to make a partition for an archived period.
 *
 * `usage_corrections` no longer references `usage_events` (a foreign key would forbid detaching): a correction
 * still names an event it found and locked (CorrectionRecorder).
 */
export class UsageByPeriod1765600000000 implements MigrationInterface {
  name = 'UsageByPeriod1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [reference] = (await queryRunner.query(
      `SELECT conname AS name FROM pg_constraint
        WHERE conrelid = 'usage_corrections'::regclass AND confrelid = 'usage_events'::regclass`,
    )) as { name: string }[];
    if (reference)
      await queryRunner.query(`ALTER TABLE usage_corrections DROP CONSTRAINT "${reference.name}"`);
    for (const { table, key } of PARTITIONED) await partitionByPeriod(queryRunner, table, key);

    await queryRunner.query(`
      CREATE TABLE usage_archive (
        table_name text PRIMARY KEY,
        parent text NOT NULL CHECK (parent IN ('usage_events', 'usage_aggregates')),
        -- NULL: from the first period (the partition made of the rows from before partitioning).
        period_from text,
        period_to text NOT NULL,
        detached_at timestamptz NOT NULL DEFAULT now()
      )`);

    const pinned = await pinnedSearchPath(queryRunner);
    await queryRunner.query(`
      CREATE FUNCTION ensure_usage_partitions(periods text[]) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER ${pinned} AS $fn$
      DECLARE
        made integer := 0;
        wanted text;
        parent_table text;
        upper_bound text;
        partition_name text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('metering.usage-partitions:' || current_schema()));
        FOREACH wanted IN ARRAY periods LOOP
          IF wanted !~ '^\\d{4}-(0[1-9]|1[0-2])$' THEN
            RAISE EXCEPTION 'not a period: %', wanted USING ERRCODE = '22023';
          END IF;
          upper_bound := to_char(to_date(wanted, 'YYYY-MM') + interval '1 month', 'YYYY-MM');
          FOREACH parent_table IN ARRAY ARRAY['usage_events', 'usage_aggregates'] LOOP
            IF EXISTS (SELECT 1 FROM usage_archive a WHERE a.parent = parent_table
                         AND coalesce(a.period_from, '') <= wanted AND wanted < a.period_to) THEN
              RAISE EXCEPTION 'the % of % are archived: no new partition for them', parent_table, wanted
                USING ERRCODE = '55000';
            END IF;
            partition_name := parent_table || '_p' || replace(wanted, '-', '_');
            CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
            BEGIN
              EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                             partition_name, parent_table, wanted, upper_bound);
              made := made + 1;
            EXCEPTION WHEN invalid_object_definition THEN
              NULL; -- already covered (by the partition of the rows from before partitioning)
            END;
          END LOOP;
        END LOOP;
        RETURN made;
      END $fn$`);
    await queryRunner.query(`
      CREATE FUNCTION detach_usage_partitions(before text) RETURNS SETOF text
        LANGUAGE plpgsql SECURITY DEFINER ${pinned} AS $fn$
      DECLARE
        found record;
      BEGIN
        IF before !~ '^\\d{4}-(0[1-9]|1[0-2])$' THEN
          RAISE EXCEPTION 'not a period: %', before USING ERRCODE = '22023';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('metering.usage-partitions:' || current_schema()));
        FOR found IN
          SELECT * FROM (
            SELECT child.relname AS name, parent.relname AS parent,
                   substring(pg_get_expr(child.relpartbound, child.oid) FROM 'FROM \\(''([0-9-]+)''\\)') AS period_from,
                   substring(pg_get_expr(child.relpartbound, child.oid) FROM 'TO \\(''([0-9-]+)''\\)') AS period_to
              FROM pg_inherits i
              JOIN pg_class child ON child.oid = i.inhrelid
              JOIN pg_class parent ON parent.oid = i.inhparent
             WHERE i.inhparent IN ('usage_events'::regclass, 'usage_aggregates'::regclass)) bounds
           WHERE period_to <= before
           ORDER BY period_to, parent
        LOOP
          EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', found.parent, found.name);
          INSERT INTO usage_archive (table_name, parent, period_from, period_to)
          VALUES (found.name, found.parent, found.period_from, found.period_to);
          RETURN NEXT found.name;
        END LOOP;
      END $fn$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION ensure_usage_partitions(text[]) FROM PUBLIC`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION detach_usage_partitions(text) FROM PUBLIC`);
    const runtime = await runtimeRolesOf(queryRunner);
    for (const role of runtime) {
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ensure_usage_partitions(text[]) TO "${role}"`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION detach_usage_partitions(text) TO "${role}"`);
      // The archive's list is written by detach_usage_partitions only.
      await queryRunner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON usage_archive FROM "${role}"`);
    }
  }

  down(): Promise<void> {
    throw new Error('forward only: usage written since is spread over partitions');
  }
}
