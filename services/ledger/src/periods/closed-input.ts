import { type EntityManager } from 'typeorm';

/**
 * Where a close keeps the subscribers and usage rows it allocated (period_closes.input_rows): `copied` into
 * `input` and period_close_usage (closes before issue #26), or `frozen`, the period's own rows of
 * subscriber_tokens and usage_quantities, which stop changing once the close is recorded (a trigger refuses it).
 */
export type InputRows = 'copied' | 'frozen';

/**
 * The usage rows the close allocated, in key order: for a frozen close, the period's rows that could move money
 * then (of paying subscribers, positive, on the services and meters its recorded input names). `period` is SQL:
 * `$1` or a literal.
 */
export function closedUsageSql(rows: InputRows, period: string): string {
  if (rows === 'copied')
    return `SELECT subscriber_id, service_id, meter, quantity::text AS quantity FROM period_close_usage
             WHERE period = ${period} ORDER BY subscriber_id, service_id, meter`;
  return `
    SELECT u.subscriber_id, u.service_id, u.meter, u.quantity::text AS quantity
      FROM usage_quantities u
      JOIN subscriber_tokens t ON t.period = u.period AND t.subscriber_id = u.subscriber_id AND t.tokens > 0
     WHERE u.period = ${period} AND u.quantity > 0
       AND u.service_id IN (SELECT (s ->> 'id')::uuid FROM period_closes c, json_array_elements(c.input -> 'services') s
                             WHERE c.period = ${period})
       AND u.meter IN (SELECT json_object_keys(c.input -> 'meters') FROM period_closes c WHERE c.period = ${period})
     ORDER BY u.subscriber_id, u.service_id, u.meter`;
}

export interface ClosedUsageRow {
  readonly subscriber_id: string;
  readonly service_id: string;
  readonly meter: string;
  readonly quantity: string;
}

/** A usage row as the input's JSON has it. */
export function usageRowJson(
  row: ClosedUsageRow,
): Record<'subscriber' | 'service' | 'meter' | 'quantity', string> {
  return { subscriber: row.subscriber_id, service: row.service_id, meter: row.meter, quantity: row.quantity };
}

/** A frozen close's subscribers in the input's JSON shape, in key order. `period` is SQL: `$1` or a literal. */
export function frozenSubscribersSql(period: string): string {
  return `SELECT subscriber_id AS id, tokens::text AS tokens FROM subscriber_tokens
           WHERE period = ${period} AND tokens > 0 ORDER BY subscriber_id`;
}

/** The subscribers the close allocated, in the input's JSON shape. */
export async function closedSubscribers(
  manager: Pick<EntityManager, 'query'>,
  period: string,
  rows: InputRows,
  input: Record<string, unknown>,
): Promise<{ id: string; tokens: string }[]> {
  if (rows === 'copied') return (input.subscribers ?? []) as { id: string; tokens: string }[];
  return (await manager.query(frozenSubscribersSql('$1'), [period])) as { id: string; tokens: string }[];
}
