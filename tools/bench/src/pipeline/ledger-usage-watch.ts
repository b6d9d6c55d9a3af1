import { performance } from 'node:perf_hooks';
import { sleep } from '@onecommons/kafka';
import pg from 'pg';

/** The ledger's usage projection of one service, read from the ledger's schema on the bench database. */
export class LedgerUsageWatch {
  private constructor(private readonly client: pg.Client) {}

  static async connect(postgresAdminUrl: string): Promise<LedgerUsageWatch> {
    const client = new pg.Client({ connectionString: postgresAdminUrl, application_name: 'bench:pipeline' });
    await client.connect();
    return new LedgerUsageWatch(client);
  }

  /** The service's usage the ledger's projection holds, summed over subscribers, meters and periods. */
  async projected(serviceId: string): Promise<bigint> {
    const { rows } = await this.client.query<{ quantity: string }>(
      'SELECT coalesce(sum(quantity), 0)::text AS quantity FROM ledger.usage_quantities WHERE service_id = $1',
      [serviceId],
    );
    return BigInt(rows[0]?.quantity ?? '0');
  }

  /**
   * Waits until the projection holds `quantity` of the service's usage; returns when, by performance.now().
   * More than that is an error (something was applied twice).
   */
  async holds(serviceId: string, quantity: bigint, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const projected = await this.projected(serviceId);
      if (projected === quantity) return performance.now();
      if (projected > quantity)
        throw new Error(
          `the ledger holds ${projected} of the service's usage, more than the ${quantity} accepted`,
        );
      if (performance.now() > deadline)
        throw new Error(`the ledger holds ${projected} of ${quantity} after ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
