import { serviceDataSourceOptions } from '@onecommons/persistence';
import { loadConfigOrExit, periodArgumentOrExit } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { payoutsConfigSchema } from '../config.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { payoutsReport } from './payouts-report.js';

/**
 * `reconcile --period P`: prints one JSON line `{"payouts": …}`: payouts' credits, balances and batch, and the
 * Stripe transfers of the batch's group as Stripe lists them. `commons payouts reconcile` compares it with
 * the ledger's `payables` report.
 */
export async function runReconcileCommand(argv: readonly string[]): Promise<never> {
  const period = periodArgumentOrExit('payouts reconcile', argv);
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
    const report = await payoutsReport(dataSource.manager, period, stripe.listTransfers(`payouts:${period}`));
    process.stdout.write(`${JSON.stringify({ payouts: report })}\n`);
  } finally {
    await dataSource.destroy();
  }
  process.exit(0);
}
