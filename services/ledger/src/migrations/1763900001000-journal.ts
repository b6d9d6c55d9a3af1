import { type MigrationInterface, type QueryRunner } from 'typeorm';

const IMMUTABLE_TABLES = ['ledger_transactions', 'ledger_entries', 'period_prices'];

export class Journal1763900001000 implements MigrationInterface {
  name = 'Journal1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // `seq` is drawn under the journal's advisory lock (last + 1), so the chain has no gaps and no forks.
    await queryRunner.query(`
      CREATE TABLE ledger_transactions (
        key text PRIMARY KEY,
        seq bigint NOT NULL UNIQUE CHECK (seq > 0),
        kind text NOT NULL,
        period text,
        memo jsonb NOT NULL,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
        posted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger_entries (
        transaction_key text NOT NULL REFERENCES ledger_transactions (key),
        line integer NOT NULL CHECK (line > 0),
        account text NOT NULL,
        unit text NOT NULL,
        amount numeric(40, 0) NOT NULL CHECK (amount <> 0),
        PRIMARY KEY (transaction_key, line)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_entries_account ON ledger_entries (account, unit)`);
    // Balances are a projection of the entries, written in the same transaction; `verify` recomputes them.
    await queryRunner.query(`
      CREATE TABLE ledger_balances (
        account text NOT NULL,
        unit text NOT NULL,
        balance numeric(40, 0) NOT NULL,
        PRIMARY KEY (account, unit)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_balances_unit ON ledger_balances (unit, account)`);
    // A period's price is fixed once, by its first mint; `basis_*` is the state the policy priced from.
    await queryRunner.query(`
      CREATE TABLE period_prices (
        period text PRIMARY KEY,
        num numeric(60, 0) NOT NULL CHECK (num > 0),
        den numeric(60, 0) NOT NULL CHECK (den > 0),
        policy text NOT NULL,
        basis_reserve numeric(40, 0) NOT NULL,
        basis_outstanding numeric(40, 0) NOT NULL,
        fixed_by text NOT NULL,
        fixed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // What each subscriber's fees minted per period: the allocation's `subscribers[].tokens`.
    await queryRunner.query(`
      CREATE TABLE subscriber_tokens (
        period text NOT NULL,
        subscriber_id uuid NOT NULL,
        tokens numeric(40, 0) NOT NULL,
        PRIMARY KEY (period, subscriber_id)
      )`);

    // Immutability in the database itself: a trigger stops every role (the admin included), and the runtime
    // role loses the privileges too. Corrections are new transactions.
    await queryRunner.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger: % on % is not allowed; the ledger is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of IMMUTABLE_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
      );
    }
    // The runtime role is whoever the schema's default privileges grant table access to (schema-setup.ts
    // grants them to the service's role, `oc_ledger`); it may read and append, never change or remove.
    await queryRunner.query(`
      DO $$
      DECLARE runtime_role text;
      BEGIN
        FOR runtime_role IN
          SELECT DISTINCT acl.grantee::regrole::text
            FROM pg_default_acl d
            JOIN pg_namespace n ON n.oid = d.defaclnamespace
            CROSS JOIN LATERAL aclexplode(d.defaclacl) AS acl
           WHERE n.nspname = current_schema() AND d.defaclobjtype = 'r' AND acl.grantee <> 0
        LOOP
          EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON ${IMMUTABLE_TABLES.join(', ')} FROM %s', runtime_role);
        END LOOP;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE subscriber_tokens, period_prices, ledger_balances, ledger_entries, ledger_transactions`,
    );
    await queryRunner.query(`DROP FUNCTION ledger_refuse_change()`);
  }
}
