import type pg from 'pg';
import { type EntityManager } from 'typeorm';
import { type PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';

/**
 * The pg connection under the caller's database transaction, for what TypeORM cannot do on it (COPY); `needs`
 * names the caller in the error when the manager is not inside a transaction.
 */
export async function transactionClient(manager: EntityManager, needs: string): Promise<pg.ClientBase> {
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  if (!runner?.isTransactionActive) throw new Error(`${needs} needs the caller’s database transaction`);
  return (await runner.connect()) as pg.ClientBase;
}
