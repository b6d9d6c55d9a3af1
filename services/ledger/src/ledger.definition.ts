import { BACKBONE_MIGRATIONS } from '@onecommons/kafka';
import { AUTH_ERROR_CODES, AuthModule, remoteAuthSetup } from '@onecommons/auth';
import {
  checkedOption,
  defineService,
  periodOption,
  RateLimitModule,
  SERVICE_CONFIG,
} from '@onecommons/service-kit';
import { Option } from 'commander';
import type pg from 'pg';
import { z } from 'zod';
import { type AdjustCommandOptions } from './adjustments/adjust-command.js';
import { adjustmentReasonSchema } from './adjustments/adjustment-views.js';
import { type LedgerConfig, ledgerConfigSchema } from './config.js';
import { LEDGER_ERROR_CODES } from './ledger-errors.js';
import { Journal1763900001000 } from './migrations/1763900001000-journal.js';
import { Projections1763900002000 } from './migrations/1763900002000-projections.js';
import { PeriodCloses1763900003000 } from './migrations/1763900003000-period-closes.js';
import { PeriodCloseUsage1763900004000 } from './migrations/1763900004000-period-close-usage.js';
import { Payables1763900005000 } from './migrations/1763900005000-payables.js';
import { TermsByPeriod1764600000000 } from './migrations/1764600000000-terms-by-period.js';
import { UsageWatermarks1765000000000 } from './migrations/1765000000000-usage-watermarks.js';
import { PeriodAdjustments1765100000000 } from './migrations/1765100000000-period-adjustments.js';
import { PaymentReversals1765200000000 } from './migrations/1765200000000-payment-reversals.js';
import { StreamedClose1765300000000 } from './migrations/1765300000000-streamed-close.js';
import { EntriesByTransactionOnly1765600000000 } from './migrations/1765600000000-entries-by-transaction-only.js';
import { InputsByPeriod1765700000000 } from './migrations/1765700000000-inputs-by-period.js';
import { type PayablesCommandOptions } from './payables/payables-command.js';
import { type CloseCommandOptions } from './periods/close-command.js';
import { PeriodsModule } from './periods/periods.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { ReversalsModule } from './reversals/reversals.module.js';
import { TransparencyModule } from './transparency/transparency.module.js';
import { ledgerRateLimits } from './transparency/transparency-rate-limits.js';
import { TreasuryModule } from './treasury/treasury.module.js';

const ledgerAuth = AuthModule.forRoot({
  inject: [SERVICE_CONFIG],
  useFactory: (config: LedgerConfig) => remoteAuthSetup(config),
});

const waitSecondsSchema = z
  .string()
  .regex(/^\d{1,6}$/, { error: 'must be a number of seconds' })
  .transform(Number);

/** Ledger: the append-only double-entry ledger, the CommonCents treasury and period close. */
export const ledgerService = defineService({
  service: 'ledger',
  configSchema: ledgerConfigSchema,
  entities: [],
  migrations: [
    ...BACKBONE_MIGRATIONS,
    Journal1763900001000,
    Projections1763900002000,
    PeriodCloses1763900003000,
    PeriodCloseUsage1763900004000,
    Payables1763900005000,
    TermsByPeriod1764600000000,
    UsageWatermarks1765000000000,
    PeriodAdjustments1765100000000,
    PaymentReversals1765200000000,
    StreamedClose1765300000000,
    EntriesByTransactionOnly1765600000000,
    InputsByPeriod1765700000000,
  ],
  features: (config) => [
    ledgerAuth,
    RateLimitModule.forRoot(ledgerRateLimits(config)),
    TreasuryModule,
    ProjectionsModule,
    PeriodsModule,
    ReversalsModule,
    TransparencyModule,
  ],
  errorCodes: [...AUTH_ERROR_CODES, ...LEDGER_ERROR_CODES],
  // What `commons ledger verify`, `commons period close|adjust` and `commons payouts reconcile` run. Each command
  // imports its module when it runs: `serve` does not load them.
  commands: [
    {
      name: 'verify',
      description:
        'check the hash chain, zero-sum transactions, balances, the reserve invariant, payables and refunds; prints the report as a JSON line, exits 1 naming the first violation',
      action: async () => (await import('./verify/verify-command.js')).runVerifyCommand(),
    },
    {
      name: 'close',
      description:
        "close a period (idempotent); prints the outcome as a JSON line, exits 1 when the period may not close, 3 while it waits for the period's usage",
      options: [
        periodOption('the period to close'),
        new Option('--force', 'close a period that has not ended (demos, tests)'),
        checkedOption(
          '--wait <seconds>',
          "wait up to this long for the period's usage (default LEDGER_CLOSE_WAIT_SECONDS)",
          waitSecondsSchema,
        ),
      ],
      action: async (options: CloseCommandOptions) =>
        (await import('./periods/close-command.js')).runCloseCommand(options),
    },
    {
      name: 'adjust',
      description:
        'adjust a closed period: apply the usage corrections waiting for it and post the difference in the current period; exits 1 when the period is not closed',
      options: [
        periodOption('the closed period to adjust'),
        checkedOption(
          '--reason <text>',
          'why (kept with the adjustment and shown in statements)',
          adjustmentReasonSchema,
        ).makeOptionMandatory(),
      ],
      action: async (options: AdjustCommandOptions) =>
        (await import('./adjustments/adjust-command.js')).runAdjustCommand(options),
    },
    {
      name: 'payables',
      description:
        "the period's redeemed, adjusted and payable amounts as a JSON line (the ledger's half of a reconcile)",
      options: [periodOption('the period of the redemptions')],
      action: async (options: PayablesCommandOptions) =>
        (await import('./payables/payables-command.js')).runPayablesCommand(options),
    },
  ],
  // Replay compares content, not chain position: the order in which a replay interleaves partitions (and so
  // `seq` and the hashes) may differ from the live one; `verify` checks the chain of each.
  projections: [
    {
      table: 'ledger_transactions',
      key: ['key'],
      volatileColumns: ['seq', 'prev_hash', 'hash', 'posted_at'],
    },
    { table: 'ledger_entries', key: ['transaction_key', 'line'] },
    { table: 'ledger_balances', key: ['account', 'unit'] },
    // Which payment fixed a price, and the reserve it saw, depend on how partitions interleave; the price
    // itself is compared.
    {
      table: 'period_prices',
      key: ['period'],
      volatileColumns: ['fixed_at', 'fixed_by', 'basis_reserve', 'basis_outstanding'],
    },
    {
      table: 'price_cuts',
      key: ['cut_by'],
      volatileColumns: ['cut_at', 'basis_reserve', 'basis_outstanding'],
    },
    { table: 'payment_reversals', key: ['transaction_key'] },
    { table: 'subscriber_tokens', key: ['period', 'subscriber_id'] },
    { table: 'subscribers', key: ['subscriber_id'] },
    { table: 'meters', key: ['name'] },
    { table: 'service_types', key: ['name'] },
    { table: 'services', key: ['service_id'] },
    { table: 'projects', key: ['project_id'] },
    { table: 'contract_versions', key: ['project_id', 'version'] },
    { table: 'contract_members', key: ['project_id', 'version', 'account_id'] },
    { table: 'project_dependencies', key: ['project_id', 'dependency_id'] },
    { table: 'agreements', key: ['agreement_id'] },
    { table: 'service_terms', key: ['service_id', 'effective_from'] },
    { table: 'agreement_terms', key: ['agreement_id', 'effective_from'] },
    { table: 'usage_quantities', key: ['period', 'subscriber_id', 'service_id', 'meter'] },
    // Counted per partition of metering.usage.v1: a replay reads the same partitions, so the same rows.
    { table: 'usage_applied_counts', key: ['period', 'kafka_partition'] },
    { table: 'usage_watermarks', key: ['period'] },
    { table: 'period_close_requests', key: ['period'] },
    { table: 'provider_resource_points', key: ['period', 'service_id', 'provider_id'] },
    { table: 'payee_preferences', key: ['holder'] },
    {
      table: 'closed_period_corrections',
      key: ['service_id', 'correction_source', 'correction_id'],
    },
    // Re-done from the ledger's own log with the time, reason and corrections it recorded.
    { table: 'period_adjustments', key: ['period', 'sequence'] },
    {
      table: 'period_adjustment_corrections',
      key: ['service_id', 'correction_source', 'correction_id'],
    },
  ],
});

/**
 * What the ledger's read-only commands compute (`verify`; `payables`, its half of `commons payouts reconcile`), on a
 * client whose search_path is the ledger's schema: for the tests of services that boot the ledger, to check it
 * after each step in their own process instead of waiting for the commands' processes. Loaded on first use, as the
 * commands are.
 */
export const ledgerReports = {
  verify: async (client: pg.ClientBase, currency: string) =>
    (await import('./verify/ledger-verifier.js')).verifyLedger(client, currency),
  payables: async (client: pg.ClientBase, period: string, currency: string) =>
    (await import('./payables/payables-command.js')).payablesReport(client, period, currency),
};
