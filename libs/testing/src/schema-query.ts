import pg from 'pg';

/** Runs SQL as the admin role with `schema` first on the search path: how tests look into a service's tables. */
export function schemaQuery(admin: pg.Pool, schema: string) {
  return async <Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> => {
    const client = await admin.connect();
    try {
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      return (await client.query<Row>(sql, params)).rows;
    } finally {
      client.release();
    }
  };
}
