import { type UsageRow } from '@onecommons/allocation';
import { PERIOD_PATTERN } from '@onecommons/contracts';
import { transactionClient } from '@onecommons/persistence';
import { to as copyTo } from 'pg-copy-streams';
import { type EntityManager } from 'typeorm';

/** A subscriber whose fees minted tokens for the period, with every usage row of the period it has. */
export interface PayingSubscriber {
  readonly id: string;
  readonly tokens: bigint;
  /** Rows with a positive quantity, whatever their service and meter (the close keeps those it knows). */
  readonly usage: readonly Pick<UsageRow, 'service' | 'meter' | 'quantity'>[];
}

/**
 * Memory Postgres may sort the period's rows in before it spills to disk: one close at a time (the journal lock),
 * so at most this much per ledger.
 */
const CLOSE_SORT_MEMORY = '64MB';

/**
 * The period's paying subscribers in key order, each with its usage rows, out of one COPY streamed as Postgres
 * produces it: the tokens and the usage rows of the period sorted together by subscriber (a subscriber's tokens
 * first), so nothing is held but the subscriber at hand and the event loop turns between chunks. Usage of
 * subscribers without tokens is skipped as it passes.
 *
 * Sorted by Postgres from sequential scans, not read in index order: the rows of a period lie in the heap in
 * arrival order, so reading them in key order is one random page read per row. At 10M rows with the stock 128 MB of
 * shared buffers that took 60 s; the scan and an external sort in bounded memory take 11 s.
 */
export async function* payingSubscribers(
  manager: EntityManager,
  period: string,
): AsyncGenerator<PayingSubscriber> {
  if (!PERIOD_PATTERN.test(period)) throw new Error(`not a period: ${period}`);
  const client = await transactionClient(manager, 'the close’s read');
  await client.query(
    `SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL work_mem = '${CLOSE_SORT_MEMORY}'`,
  );
  try {
    // COPY takes no parameters: the period was checked against its pattern above.
    const stream = client.query(
      // Sorted in their own types (a uuid is 16 bytes, its text 36): text only on the way out.
      copyTo(`COPY (
        SELECT subscriber_id, 0 AS kind, tokens AS amount, NULL::uuid AS service_id, NULL AS meter
          FROM subscriber_tokens WHERE period = '${period}' AND tokens > 0
        UNION ALL
        SELECT subscriber_id, 1, quantity, service_id, meter
          FROM usage_quantities WHERE period = '${period}' AND quantity > 0
        ORDER BY 1, 2) TO STDOUT`),
    );
    let current: {
      id: string;
      tokens: bigint;
      usage: Pick<UsageRow, 'service' | 'meter' | 'quantity'>[];
    } | null = null;
    let rest = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const [id, kind, amount, service, meter] = line.split('\t') as [
          string,
          string,
          string,
          string,
          string,
        ];
        if (kind === '0') {
          if (current) yield current;
          current = { id, tokens: BigInt(amount), usage: [] };
        } else if (current?.id === id) {
          current.usage.push({ service, meter, quantity: BigInt(amount) });
        }
      }
    }
    if (current) yield current;
  } finally {
    await client.query('RESET enable_indexscan; RESET enable_bitmapscan; RESET work_mem');
  }
}

/**
 * How many paying subscribers use each service on a meter that weighs (the minimum-subscribers rule's count,
 * `ServiceSubscriberCounts`), counted by Postgres: what lets a close with a minimum stream its usage once. The
 * engine counts again as it streams and runs a second pass should the two disagree.
 */
export async function payingSubscribersPerService(
  manager: EntityManager,
  period: string,
  { services, weighingMeters }: { services: readonly string[]; weighingMeters: readonly string[] },
): Promise<Map<string, number>> {
  const rows = (await manager.query(
    `SELECT q.service_id::text AS service, count(DISTINCT q.subscriber_id)::int AS subscribers
       FROM usage_quantities q
       JOIN subscriber_tokens t ON t.period = q.period AND t.subscriber_id = q.subscriber_id
      WHERE q.period = $1 AND q.quantity > 0 AND t.tokens > 0
        AND q.service_id = ANY($2::uuid[]) AND q.meter = ANY($3::text[])
      GROUP BY q.service_id`,
    [period, services, weighingMeters],
  )) as { service: string; subscribers: number }[];
  return new Map(rows.map((row) => [row.service, row.subscribers]));
}
