import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class PayableAdjustments1765100000000 implements MigrationInterface {
  name = 'PayableAdjustments1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What adjustments of closed periods changed payees' payable balances (the ledger's PayableAdjusted events):
    // a credit, or a debit netted against later payouts. One row per adjustment and payee.
    await queryRunner.query(`
      CREATE TABLE payable_adjustments (
        adjustment_key text NOT NULL,
        payee text NOT NULL,
        period text NOT NULL,
        adjusted_period text NOT NULL,
        sequence integer NOT NULL,
        tokens numeric(40, 0) NOT NULL,
        amount_minor numeric(20, 0) NOT NULL CHECK (amount_minor <> 0),
        currency text NOT NULL,
        price_num numeric(60, 0) NOT NULL,
        price_den numeric(60, 0) NOT NULL,
        merkle_root text NOT NULL,
        reason text NOT NULL,
        corrections jsonb NOT NULL,
        credited_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (adjustment_key, payee)
      )`);
    await queryRunner.query(
      `CREATE INDEX payable_adjustments_by_payee ON payable_adjustments (payee, currency, period)`,
    );
    await queryRunner.query(`CREATE INDEX payable_adjustments_by_period ON payable_adjustments (period)`);
    // A payee an adjustment left owing gets a batch line too: held, with its negative balance.
    await queryRunner.query(`ALTER TABLE batch_lines DROP CONSTRAINT batch_lines_available_minor_check`);
    await queryRunner.query(
      `ALTER TABLE batch_lines ADD CONSTRAINT batch_lines_available_minor_check CHECK (available_minor <> 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payable_adjustments`);
  }
}
