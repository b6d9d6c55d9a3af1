import { type MigrationInterface, type QueryRunner } from 'typeorm';

const PAYEE = `'^(provider|operator|member):[0-9a-f-]{36}$'`;
const PAYOUT_STATES = `'scheduled', 'submitting', 'submitted', 'succeeded', 'failed', 'reversed'`;

export class Payouts1763900001000 implements MigrationInterface {
  name = 'Payouts1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A payee exists once it is credited or sets something up; no row = the defaults (auto-redeem, platform threshold).
    await queryRunner.query(`
      CREATE TABLE payees (
        payee text PRIMARY KEY CHECK (payee ~ ${PAYEE}),
        auto_redeem boolean NOT NULL DEFAULT true,
        threshold_minor numeric(20, 0) CHECK (threshold_minor > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Bank details are personal data: sealed (AES-256-GCM), with a masked form for display.
    await queryRunner.query(`
      CREATE TABLE payout_accounts (
        id uuid PRIMARY KEY,
        payee text NOT NULL REFERENCES payees (payee),
        rail text NOT NULL CHECK (rail IN ('stripe', 'bank')),
        details_sealed text NOT NULL,
        display text NOT NULL,
        status text NOT NULL CHECK (status IN ('unverified', 'verified')),
        status_reason text,
        active boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        verified_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX payout_accounts_one_active ON payout_accounts (payee) WHERE active`,
    );
    await queryRunner.query(`
      CREATE TABLE holds (
        id uuid PRIMARY KEY,
        payee text NOT NULL REFERENCES payees (payee),
        reason text NOT NULL CHECK (reason IN ('fraud_review', 'compliance_review', 'dispute')),
        note text NOT NULL DEFAULT '',
        placed_by text NOT NULL,
        placed_at timestamptz NOT NULL DEFAULT now(),
        released_by text,
        released_at timestamptz,
        CHECK ((released_at IS NULL) = (released_by IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX holds_active ON holds (payee) WHERE released_at IS NULL`);
    // What the ledger made payable (its TokensRedeemed events): one row per redemption.
    await queryRunner.query(`
      CREATE TABLE payable_credits (
        redemption_key text PRIMARY KEY,
        payee text NOT NULL,
        period text NOT NULL,
        tokens numeric(40, 0) NOT NULL,
        allocated_tokens numeric(40, 0) NOT NULL,
        amount_minor numeric(20, 0) NOT NULL CHECK (amount_minor >= 0),
        currency text NOT NULL,
        price_num numeric(60, 0) NOT NULL,
        price_den numeric(60, 0) NOT NULL,
        merkle_root text NOT NULL,
        credited_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX payable_credits_by_payee ON payable_credits (payee, currency, period)`,
    );
    await queryRunner.query(`CREATE INDEX payable_credits_by_period ON payable_credits (period)`);
    await queryRunner.query(`
      CREATE TABLE payout_batches (
        period text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Postgres holds each payout's state machine; BullMQ only runs the work. One payout per payee, currency
    // and batch: a redelivered close schedules nothing twice.
    await queryRunner.query(`
      CREATE TABLE payouts (
        id uuid PRIMARY KEY,
        payee text NOT NULL REFERENCES payees (payee),
        period text NOT NULL REFERENCES payout_batches (period),
        amount_minor numeric(20, 0) NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL,
        rail text NOT NULL CHECK (rail IN ('stripe', 'bank')),
        payout_account_id uuid NOT NULL REFERENCES payout_accounts (id),
        state text NOT NULL CHECK (state IN (${PAYOUT_STATES})),
        reference text,
        failure_code text,
        failure_reason text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (period, payee, currency)
      )`);
    await queryRunner.query(`CREATE INDEX payouts_by_payee ON payouts (payee, created_at)`);
    await queryRunner.query(
      `CREATE INDEX payouts_open ON payouts (next_attempt_at) WHERE state IN ('scheduled', 'submitting')`,
    );
    await queryRunner.query(`
      CREATE TABLE payout_transitions (
        id bigserial PRIMARY KEY,
        payout_id uuid NOT NULL REFERENCES payouts (id),
        from_state text CHECK (from_state IN (${PAYOUT_STATES})),
        to_state text NOT NULL CHECK (to_state IN (${PAYOUT_STATES})),
        detail text NOT NULL DEFAULT '',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX payout_transitions_by_payout ON payout_transitions (payout_id, id)`,
    );
    // Each payee's outcome in a batch: paid, carried forward (below its threshold) or held, and why.
    await queryRunner.query(`
      CREATE TABLE batch_lines (
        period text NOT NULL REFERENCES payout_batches (period),
        payee text NOT NULL,
        currency text NOT NULL,
        available_minor numeric(20, 0) NOT NULL CHECK (available_minor > 0),
        outcome text NOT NULL CHECK (outcome IN ('paid', 'carried', 'held')),
        reason text,
        payout_id uuid REFERENCES payouts (id),
        PRIMARY KEY (period, payee, currency),
        CHECK ((outcome = 'paid') = (payout_id IS NOT NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'batch_lines',
      'payout_transitions',
      'payouts',
      'payout_batches',
      'payable_credits',
      'holds',
      'payout_accounts',
      'payees',
    ])
      await queryRunner.query(`DROP TABLE ${table}`);
  }
}
