import { performance } from 'node:perf_hooks';
import { sleep } from '@onecommons/kafka';
import pg from 'pg';

const USAGE_RECORDED = 'onecommons.metering.usage.recorded.v2';

/** Metering's side of the run, read from its schema: what is still unpublished, and what was counted. */
export class MeteringOutcome {
  private constructor(private readonly client: pg.Client) {}

  static async connect(postgresAdminUrl: string): Promise<MeteringOutcome> {
    const client = new pg.Client({ connectionString: postgresAdminUrl, options: '-c search_path=metering' });
    await client.connect();
    return new MeteringOutcome(client);
  }

  async pendingOutbox(): Promise<number> {
    const { rows } = await this.client.query<{ pending: number }>(
      'SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL',
    );
    return rows[0]?.pending ?? 0;
  }

  /** Waits until the relay has published every outbox row (Kafka acknowledged); returns when, by performance.now(). */
  async publishedAll(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const pending = await this.pendingOutbox();
      if (pending === 0) return performance.now();
      if (performance.now() > deadline)
        throw new Error(`the outbox still holds ${pending} unpublished rows after ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  /**
   * What must hold after the run: each distinct event of the service stored once, the aggregates and the
   * published UsageRecorded events counting exactly those. Returns the problems found.
   */
  async verify(serviceId: string, expectedEvents: number): Promise<string[]> {
    const { rows } = await this.client.query<{
      stored: string;
      aggregated: string;
      announced: string | null;
    }>(
      `SELECT (SELECT count(*) FROM usage_events WHERE service_id = $1)::text AS stored,
              (SELECT coalesce(sum(events), 0) FROM usage_aggregates WHERE service_id = $1)::text AS aggregated,
              (SELECT coalesce(sum((usage->>'events')::bigint), 0)
                 FROM outbox,
                      jsonb_array_elements(payload::jsonb -> 'data' -> 'subscribers') AS subscriber,
                      jsonb_array_elements(subscriber -> 'usage') AS usage
                WHERE event_type = $2 AND published_at IS NOT NULL AND usage->>'serviceId' = $1::text)::text
                AS announced`,
      [serviceId, USAGE_RECORDED],
    );
    const row = rows[0];
    const expected = String(expectedEvents);
    return [
      ...(row?.stored === expected ? [] : [`usage_events holds ${row?.stored}, expected ${expected}`]),
      ...(row?.aggregated === expected
        ? []
        : [`usage_aggregates count ${row?.aggregated}, expected ${expected}`]),
      ...(row?.announced === expected
        ? []
        : [`published UsageRecorded count ${row?.announced}, expected ${expected}`]),
    ];
  }

  /** Outbox rows (UsageRecorded events) the run wrote. */
  async outboxRows(): Promise<number> {
    const { rows } = await this.client.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM outbox WHERE event_type = $1',
      [USAGE_RECORDED],
    );
    return rows[0]?.count ?? 0;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
