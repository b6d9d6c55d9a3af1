import { type MigrationInterface, type QueryRunner } from 'typeorm';

const FROZEN_AFTER_CLOSE = ['usage_quantities', 'subscriber_tokens'];

/**
 * The streamed close (issue #26): a close keeps no copy of its rows, because its period's projections are frozen
 * once it is recorded; it copies its entries in before their header; and balances leave room on their pages so
 * updates stay heap-only.
 */
export class StreamedClose1765300000000 implements MigrationInterface {
  name = 'StreamedClose1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // `copied`: the close's usage rows are in period_close_usage and its subscribers in `input` (closes before
    // this migration). `frozen`: they are the period's rows of usage_quantities and subscriber_tokens.
    await queryRunner.query(`
      ALTER TABLE period_closes ADD COLUMN input_rows text NOT NULL DEFAULT 'copied'
        CHECK (input_rows IN ('copied', 'frozen'))`);
    await queryRunner.query(`
      CREATE FUNCTION closed_period_rows_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM changed_rows c JOIN period_closes p ON p.period = c.period) THEN
          RAISE EXCEPTION 'a closed period''s % are final (its close was computed from them)', TG_TABLE_NAME
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN NULL;
      END $$`);
    // Per statement, over the rows it changed: one join with the closes per batch, not a lookup per row.
    for (const table of FROZEN_AFTER_CLOSE) {
      for (const [event, rows] of [
        ['INSERT', 'NEW'],
        ['UPDATE', 'NEW'],
        ['DELETE', 'OLD'],
      ] as const) {
        await queryRunner.query(
          `CREATE TRIGGER ${table}_closed_${event.toLowerCase()} AFTER ${event} ON ${table}
             REFERENCING ${rows} TABLE AS changed_rows
             FOR EACH STATEMENT EXECUTE FUNCTION closed_period_rows_are_final()`,
        );
      }
    }
    // Checked per row, the reference from each entry to its transaction cost more than a third of a million-subscriber
    // close. An entry is only ever written by the journal with its transaction, and `verify` reports any entry
    // whose transaction is missing (its amount would be outside the hash chain).
    await queryRunner.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_transaction_key_fkey`);
    await queryRunner.query(`ALTER TABLE ledger_balances SET (fillfactor = 80)`);
    // The close releases project escrows (`account LIKE 'escrow:%'`): on this index it reads those few rows, not
    // every token balance (a LIKE prefix cannot use the (unit, account) index under a non-C collation).
    await queryRunner.query(
      `CREATE INDEX ledger_balances_project_escrows ON ledger_balances (unit, account) WHERE account LIKE 'escrow:%'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ledger_balances_project_escrows`);
    await queryRunner.query(`ALTER TABLE ledger_balances RESET (fillfactor)`);
    await queryRunner.query(`
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_transaction_key_fkey
        FOREIGN KEY (transaction_key) REFERENCES ledger_transactions (key)`);
    for (const table of FROZEN_AFTER_CLOSE)
      for (const event of ['insert', 'update', 'delete'])
        await queryRunner.query(`DROP TRIGGER ${table}_closed_${event} ON ${table}`);
    await queryRunner.query(`DROP FUNCTION closed_period_rows_are_final()`);
    await queryRunner.query(`ALTER TABLE period_closes DROP COLUMN input_rows`);
  }
}
