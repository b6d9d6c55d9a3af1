import { type MigrationInterface, type QueryRunner } from 'typeorm';

const APPEND_ONLY = ['price_cuts', 'payment_reversals'];

/** Refunds and disputes in the ledger: what each did to its payment, and the price cuts losses forced. */
export class PaymentReversals1765200000000 implements MigrationInterface {
  name = 'PaymentReversals1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A loss the reserve bore lowers the valuation price to reserve / outstanding, from the transaction that
    // caused it on (`cut_by`); prices fixed by later first mints count from there.
    await queryRunner.query(`
      CREATE TABLE price_cuts (
        cut_by text PRIMARY KEY REFERENCES ledger_transactions (key),
        num numeric(60, 0) NOT NULL CHECK (num > 0),
        den numeric(60, 0) NOT NULL CHECK (den > 0),
        basis_reserve numeric(40, 0) NOT NULL,
        basis_outstanding numeric(40, 0) NOT NULL,
        cut_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per reversal transaction: its effect on the payment, which later reversals and a reinstatement
    // build on, and which statements show. Written with the transaction, never changed.
    await queryRunner.query(`
      CREATE TABLE payment_reversals (
        transaction_key text PRIMARY KEY REFERENCES ledger_transactions (key),
        payment_id uuid NOT NULL,
        subscriber_id uuid NOT NULL,
        escrow_period text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('refund', 'dispute_withdrawal', 'dispute_reinstatement')),
        source_id uuid NOT NULL,
        reference text NOT NULL,
        reason text,
        effect text NOT NULL,
        currency text NOT NULL,
        amount_minor numeric(40, 0) NOT NULL CHECK (amount_minor > 0),
        tokens_burned numeric(40, 0) NOT NULL,
        reserve_minor numeric(40, 0) NOT NULL,
        shortfall_minor numeric(40, 0) NOT NULL,
        period text NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX payment_reversals_payment ON payment_reversals (payment_id)');
    await queryRunner.query(
      'CREATE INDEX payment_reversals_subscriber ON payment_reversals (subscriber_id, escrow_period)',
    );
    for (const table of APPEND_ONLY) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payment_reversals, price_cuts');
  }
}
