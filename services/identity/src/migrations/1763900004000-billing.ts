import { type MigrationInterface, type QueryRunner } from 'typeorm';

const PERIOD = `~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`;
const CURRENCY = `~ '^[A-Z]{3}$'`;

export class Billing1763900004000 implements MigrationInterface {
  name = 'Billing1763900004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One payment-provider customer per account, created on first subscription.
    await queryRunner.query(`
      CREATE TABLE billing_customers (
        account_id uuid PRIMARY KEY REFERENCES accounts (id),
        provider text NOT NULL CHECK (provider = 'stripe'),
        provider_customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // period/period_end: the billing period the provider is on; paid_period: the latest one paid for.
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        plan text NOT NULL CHECK (plan IN ('premium')),
        currency text NOT NULL CHECK (currency ${CURRENCY}),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        status text NOT NULL CHECK (status IN ('incomplete', 'active', 'past_due', 'ended', 'failed')),
        provider text NOT NULL CHECK (provider = 'stripe'),
        provider_customer_id text,
        provider_subscription_id text UNIQUE,
        period text CHECK (period ${PERIOD}),
        period_end timestamptz,
        paid_period text CHECK (paid_period ${PERIOD}),
        unpaid_period text CHECK (unpaid_period ${PERIOD}),
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        cancelled_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX subscriptions_one_live_per_account ON subscriptions (account_id)
       WHERE status IN ('incomplete', 'active', 'past_due')`,
    );
    // A provider payment is captured once, whichever of its events reports it and however often.
    await queryRunner.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        period text NOT NULL CHECK (period ${PERIOD}),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL CHECK (currency ${CURRENCY}),
        provider text NOT NULL CHECK (provider = 'stripe'),
        provider_payment_id text NOT NULL,
        provider_event_id text NOT NULL,
        captured_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payments_provider_payment_key UNIQUE (provider, provider_payment_id)
      )`);
    await queryRunner.query(`CREATE INDEX payments_account_period_idx ON payments (account_id, period)`);
    // Captured payments are facts: corrections are new rows, never edits.
    await queryRunner.query(`
      CREATE FUNCTION payments_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'payments are append-only';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments
      FOR EACH ROW EXECUTE FUNCTION payments_are_append_only()`);
    // Webhook idempotency: the provider's event id is recorded in the transaction that applies the event.
    await queryRunner.query(`
      CREATE TABLE payment_provider_events (
        provider text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        outcome text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payment_provider_events');
    await queryRunner.query('DROP TABLE payments');
    await queryRunner.query('DROP FUNCTION payments_are_append_only');
    await queryRunner.query('DROP TABLE subscriptions');
    await queryRunner.query('DROP TABLE billing_customers');
  }
}
