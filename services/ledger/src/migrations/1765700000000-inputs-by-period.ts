import { partitionByPeriod, pinnedSearchPath, runtimeRolesOf } from '@onecommons/persistence';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** A close's inputs, partitioned by period, with their primary keys. */
const PARTITIONED = [
  { table: 'usage_quantities', key: 'period, subscriber_id, service_id, meter' },
  { table: 'subscriber_tokens', key: 'period, subscriber_id' },
] as const;

const FREEZE_TRIGGERS = [
  ['INSERT', 'NEW'],
  ['UPDATE', 'NEW'],
  ['DELETE', 'OLD'],
] as const;

/**
 * A close's inputs by period (#26): `usage_quantities` and `subscriber_tokens` are partitioned by period, so a
 * close reads its own period's partition whatever the months kept (10 GB a month at 10M subscribers, docs/scale.md),
 * not the whole history. Nothing is detached: a closed period's rows are its close's frozen input, from which its
 * statements and proofs are computed.
 *
 * The rows from before become one partition up to the last period they hold (no copy). The coming periods'
 * partitions are made ahead by the service (ProjectionPartitions) through `ensure_input_partitions`, a SECURITY
 * DEFINER function (the service's role runs no DDL); rows of a period without one (a mint for a period far ahead,
 * tests' old periods) go to the default partition, so no write is ever refused for want of a partition. The
 * statement triggers freezing a closed period's rows move to the partitioned tables.
 */
export class InputsByPeriod1765700000000 implements MigrationInterface {
  name = 'InputsByPeriod1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, key } of PARTITIONED) {
      for (const [event] of FREEZE_TRIGGERS)
        await queryRunner.query(`DROP TRIGGER ${table}_closed_${event.toLowerCase()} ON ${table}`);
      await partitionByPeriod(queryRunner, table, key);
      await queryRunner.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
      for (const [event, rows] of FREEZE_TRIGGERS)
        await queryRunner.query(
          `CREATE TRIGGER ${table}_closed_${event.toLowerCase()} AFTER ${event} ON ${table}
             REFERENCING ${rows} TABLE AS changed_rows
             FOR EACH STATEMENT EXECUTE FUNCTION closed_period_rows_are_final()`,
        );
    }
    await queryRunner.query(`
      CREATE FUNCTION ensure_input_partitions(periods text[]) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER ${await pinnedSearchPath(queryRunner)} AS $fn$
      DECLARE
        made integer := 0;
        wanted text;
        parent_table text;
        partition_name text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ledger.input-partitions:' || current_schema()));
        FOREACH wanted IN ARRAY periods LOOP
          IF wanted !~ '^\\d{4}-(0[1-9]|1[0-2])$' THEN
            RAISE EXCEPTION 'not a period: %', wanted USING ERRCODE = '22023';
          END IF;
          FOREACH parent_table IN ARRAY ARRAY['usage_quantities', 'subscriber_tokens'] LOOP
            partition_name := parent_table || '_p' || replace(wanted, '-', '_');
            CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
            BEGIN
              EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                             partition_name, parent_table, wanted,
                             to_char(to_date(wanted, 'YYYY-MM') + interval '1 month', 'YYYY-MM'));
              made := made + 1;
            EXCEPTION
              -- Already covered by the partition of the rows from before partitioning.
              WHEN invalid_object_definition THEN NULL;
              -- The default partition holds rows of the period already: they stay there.
              WHEN check_violation THEN NULL;
            END;
          END LOOP;
        END LOOP;
        RETURN made;
      END $fn$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION ensure_input_partitions(text[]) FROM PUBLIC`);
    for (const role of await runtimeRolesOf(queryRunner))
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ensure_input_partitions(text[]) TO "${role}"`);
  }

  down(): Promise<void> {
    throw new Error('forward only: rows written since are spread over partitions');
  }
}
