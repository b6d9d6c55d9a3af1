import { PayoutsReportContract, reportLine } from '@onecommons/contracts';
import { serviceDataSourceOptions } from '@onecommons/persistence';
import { loadConfigOrExit } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { payoutsConfigSchema } from '../config.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { payoutsReport } from './payouts-report.js';
import { PayoutsReportRepository } from './payouts-report.repository.js';

export interface ReconcileCommandOptions {
  readonly period: string;
  readonly currency?: string;
}

/**
 * `reconcile --period P [--currency C]`: prints one JSON line `{"payouts": …}`: payouts' credits, adjustments,
 * balances and batch, and the Stripe transfers of the batch's group as Stripe lists them, in currency C (the
 * ledger's; all without it). `commons payouts reconcile` compares it with the ledger's `payables` report.
 */
export async function runReconcileCommand({ period, currency }: ReconcileCommandOptions): Promise<never> {
  const config = loadConfigOrExit('payouts', payoutsConfigSchema);
  const dataSource = new DataSource(
    serviceDataSourceOptions({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA ?? 'payouts',
      poolSize: 1,
      applicationName: 'payouts:reconcile',
    }),
  );
  await dataSource.initialize();
  try {
    const stripe = new StripeTransferRail({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
    });
    const report = await payoutsReport(
      new PayoutsReportRepository(),
      dataSource.manager,
      period,
      currency ?? null,
      stripe.listTransfers(`payouts:${period}`),
    );
    process.stdout.write(reportLine(PayoutsReportContract, report));
  } finally {
    await dataSource.destroy();
  }
  process.exit(0);
}
