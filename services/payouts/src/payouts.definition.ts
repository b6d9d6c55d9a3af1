import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import { currencyCodeSchema } from '@onecommons/contracts';
import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { checkedOption, defineService, periodOption, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type PayoutsConfig, payoutsConfigSchema } from './config.js';
import { PAYOUTS_ERROR_CODES } from './payouts-errors.js';
import { Payouts1763900001000 } from './migrations/1763900001000-payouts.js';
import { PayableAdjustments1765100000000 } from './migrations/1765100000000-payable-adjustments.js';
import { StripeOnboarding1766200000000 } from './migrations/1766200000000-stripe-onboarding.js';
import { PayoutsModule } from './payouts.module.js';
import { type ReconcileCommandOptions } from './reconcile/reconcile-command.js';

const payoutsAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG],
  useFactory: (config: PayoutsConfig) => remoteAuthSetup(config),
});

/** Payouts: payable balances, thresholds, holds, payout batches and payment rails (docs/payout-rules.md). */
export const payoutsService = defineService({
  service: 'payouts',
  configSchema: payoutsConfigSchema,
  entities: [],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Payouts1763900001000,
    PayableAdjustments1765100000000,
    StripeOnboarding1766200000000,
  ],
  features: () => [payoutsAuth, PayoutsModule],
  errorCodes: [...AUTH_ERROR_CODES, ...PAYOUTS_ERROR_CODES],
  commands: [
    {
      // Imported when it runs: `serve` does not load it.
      name: 'reconcile',
      description:
        "payouts' credits, adjustments, balances and batch, and the rail's transfers, as a JSON line (payouts' half of `commons payouts reconcile`)",
      options: [
        periodOption('the period (its redemptions and its payout batch)'),
        checkedOption(
          '--currency <code>',
          "only this currency, the ledger's (default: all)",
          currencyCodeSchema,
        ),
      ],
      action: async (options: ReconcileCommandOptions) =>
        (await import('./reconcile/reconcile-command.js')).runReconcileCommand(options),
    },
  ],
  // Rail outcomes, leases and attempt timing come from the rails, not the event log: a replay rebuilds
  // credits, batches and preferences, and compares the payouts' amounts and who they went to.
  projections: [
    { table: 'payable_credits', key: ['redemption_key'], volatileColumns: ['credited_at'] },
    { table: 'payable_adjustments', key: ['adjustment_key', 'payee'], volatileColumns: ['credited_at'] },
    { table: 'payout_batches', key: ['period'], volatileColumns: ['created_at'] },
  ],
});
