import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class StripeOnboarding1766200000000 implements MigrationInterface {
  name = 'StripeOnboarding1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A Stripe account's id, in the clear: Stripe's webhooks name the account, and the id is no secret (the payee
    // sees it as `Stripe acct_…`). `onboarding`: opened by payouts for the payee (Express, Stripe-hosted
    // onboarding), as opposed to an id the payee brought. `requirements`: what Stripe still needs.
    await queryRunner.query(`ALTER TABLE payout_accounts ADD COLUMN stripe_account_id text`);
    await queryRunner.query(
      `ALTER TABLE payout_accounts ADD COLUMN onboarding boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE payout_accounts ADD COLUMN requirements text[] NOT NULL DEFAULT '{}'`,
    );
    // Existing Stripe accounts: the display is exactly `Stripe <id>` (payout-account-sealer.ts, displayOf).
    await queryRunner.query(
      `UPDATE payout_accounts SET stripe_account_id = substring(display FROM 8)
        WHERE rail = 'stripe' AND display ~ '^Stripe acct_[A-Za-z0-9]+$'`,
    );
    await queryRunner.query(
      `ALTER TABLE payout_accounts ADD CONSTRAINT payout_accounts_stripe_account_id
         CHECK ((rail = 'stripe') = (stripe_account_id IS NOT NULL) AND (NOT onboarding OR rail = 'stripe'))`,
    );
    await queryRunner.query(
      `CREATE INDEX payout_accounts_by_stripe_account ON payout_accounts (stripe_account_id)
        WHERE stripe_account_id IS NOT NULL`,
    );
    // Stripe's Connect webhook events applied, each once: a redelivery finds its id and changes nothing.
    await queryRunner.query(`
      CREATE TABLE stripe_webhook_events (
        event_id text PRIMARY KEY,
        event_type text NOT NULL,
        account text,
        outcome text NOT NULL CHECK (outcome IN ('pending', 'applied', 'ignored')),
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE stripe_webhook_events`);
    await queryRunner.query(`DROP INDEX payout_accounts_by_stripe_account`);
    await queryRunner.query(
      `ALTER TABLE payout_accounts DROP CONSTRAINT payout_accounts_stripe_account_id,
         DROP COLUMN requirements, DROP COLUMN onboarding, DROP COLUMN stripe_account_id`,
    );
  }
}
