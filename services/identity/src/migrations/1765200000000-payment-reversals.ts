import { type MigrationInterface, type QueryRunner } from 'typeorm';

const CURRENCY = `~ '^[A-Z]{3}$'`;

/** Refunds and disputes of captured payments, as Stripe reported them. */
export class PaymentReversals1765200000000 implements MigrationInterface {
  name = 'PaymentReversals1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A refund that succeeded at the provider is a fact, recorded once however many events report it.
    await queryRunner.query(`
      CREATE TABLE payment_refunds (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments (id),
        provider text NOT NULL CHECK (provider = 'stripe'),
        provider_refund_id text NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ${CURRENCY}),
        reason text,
        provider_event_id text NOT NULL,
        refunded_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_refunds_provider_key UNIQUE (provider, provider_refund_id)
      )`);
    await queryRunner.query('CREATE INDEX payment_refunds_payment_idx ON payment_refunds (payment_id)');
    await queryRunner.query(`
      CREATE FUNCTION payment_refunds_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'payment refunds are append-only';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER payment_refunds_append_only BEFORE UPDATE OR DELETE ON payment_refunds
      FOR EACH ROW EXECUTE FUNCTION payment_refunds_are_append_only()`);
    // A dispute's status moves on; its money movements (withdrawn, then maybe reinstated) are set once each.
    await queryRunner.query(`
      CREATE TABLE payment_disputes (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments (id),
        provider text NOT NULL CHECK (provider = 'stripe'),
        provider_dispute_id text NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ${CURRENCY}),
        reason text NOT NULL,
        status text NOT NULL,
        opened_at timestamptz NOT NULL,
        funds_withdrawn_at timestamptz,
        funds_reinstated_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_disputes_provider_key UNIQUE (provider, provider_dispute_id),
        CHECK (funds_reinstated_at IS NULL OR funds_withdrawn_at IS NOT NULL)
      )`);
    await queryRunner.query('CREATE INDEX payment_disputes_payment_idx ON payment_disputes (payment_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payment_disputes');
    await queryRunner.query('DROP TABLE payment_refunds');
    await queryRunner.query('DROP FUNCTION payment_refunds_are_append_only');
  }
}
