import { type QueryRunner } from 'typeorm';

/**
 * For migrations that partition a table by period (`period` text, `YYYY-MM`, labels sorting in time order):
 * metering's usage, the ledger's inputs of a close. Past migrations call these: change them only in ways that keep
 * what those did.
 */

/**
 * Turns `table` into one partitioned by range of period, with `key` as its primary key (it must hold `period`).
 * The rows already there become one partition from the first period up to the last they hold, attached as they are
 * (one scan to check its periods, and an index build only when `key` differs from their primary key): no copy. An empty table is dropped.
 * Returns the upper bound of that partition (exclusive), or null.
 */
export async function partitionByPeriod(
  queryRunner: QueryRunner,
  table: string,
  key: string,
): Promise<string | null> {
  const before = `${table}_before_partitioning`;
  await queryRunner.query(`ALTER TABLE ${table} RENAME TO ${before}`);
  await queryRunner.query(`ALTER TABLE ${before} RENAME CONSTRAINT ${table}_pkey TO ${before}_pkey`);
  await queryRunner.query(`
    CREATE TABLE ${table} (LIKE ${before} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (${key}))
      PARTITION BY RANGE (period)`);
  const [{ upTo }] = (await queryRunner.query(
    `SELECT to_char(to_date(max(period), 'YYYY-MM') + interval '1 month', 'YYYY-MM') AS "upTo" FROM ${before}`,
  )) as [{ upTo: string | null }];
  if (upTo === null) {
    await queryRunner.query(`DROP TABLE ${before}`);
    return null;
  }
  // The check lets ATTACH skip its own scan; the key must be the parent's (rebuilt only if it differs).
  const [{ columns }] = (await queryRunner.query(
    `SELECT string_agg(a.attname, ', ' ORDER BY k.position) AS columns
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = '${before}'::regclass AND i.indisprimary`,
  )) as [{ columns: string | null }];
  await queryRunner.query(
    `ALTER TABLE ${before} ADD CONSTRAINT ${before}_periods CHECK (period IS NOT NULL AND period < '${upTo}')`,
  );
  if (columns !== key)
    await queryRunner.query(
      `ALTER TABLE ${before} DROP CONSTRAINT ${before}_pkey, ADD CONSTRAINT ${before}_pkey PRIMARY KEY (${key})`,
    );
  await queryRunner.query(
    `ALTER TABLE ${table} ATTACH PARTITION ${before} FOR VALUES FROM (MINVALUE) TO ('${upTo}')`,
  );
  return upTo;
}

/** The roles the schema's default privileges grant table rights to: the service's runtime role. */
export async function runtimeRolesOf(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT DISTINCT grantee.rolname AS role
       FROM pg_default_acl d
       JOIN pg_namespace n ON n.oid = d.defaclnamespace
       CROSS JOIN LATERAL aclexplode(d.defaclacl) acl
       JOIN pg_roles grantee ON grantee.oid = acl.grantee
      WHERE n.nspname = current_schema() AND d.defaclobjtype = 'r'`,
  )) as { role: string }[];
  return rows.map((row) => row.role);
}

/** `SET search_path` pinned to the migration's schema: for a SECURITY DEFINER function. */
export async function pinnedSearchPath(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = (await queryRunner.query(`SELECT current_schema() AS schema`)) as [{ schema: string }];
  return `SET search_path = "${schema.replaceAll('"', '""')}", pg_temp`;
}
