import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `ledger_entries` keeps only its primary key (#26). Its (account, unit) index served no query: balances are read
 * from `ledger_balances`, every reader of entries finds them by transaction, and `verify` sums them all. Yet a
 * close inserted one index entry per subscriber escrow debit, at random places in the index: inserting 1M entries
 * took 7.9 s with it and 2.7 s without (same rows, stock PostgreSQL 15, this machine). Dropped CONCURRENTLY: posts
 * go on meanwhile.
 */
export class EntriesByTransactionOnly1765600000000 implements MigrationInterface {
  name = 'EntriesByTransactionOnly1765600000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS ledger_entries_account');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_entries_account ON ledger_entries (account, unit)',
    );
  }
}
