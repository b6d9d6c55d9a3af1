/**
 * The arithmetic of `./dev bench scale`, pure: how many rows each table gets in a month at a given size, and how
 * much of it is still held after some months under each retention setting. The bench measures bytes per row at a
 * small size; this turns them into sizes at 10M subscribers and 1B usage events a month.
 */

export const DAYS_PER_MONTH = 30.44;

/** One month of the platform, in the counts that drive table sizes. */
export interface MonthShape {
  readonly subscribers: number;
  readonly events: number;
  /** Usage events per ingest request: one UsageRecorded announcement each. */
  readonly eventsPerRequest: number;
  /** Share of usage events that a correction later changes (one correction each). */
  readonly correctionShare: number;
  /** Distinct (service, meter) pairs a subscriber uses in a month: its aggregates and usage rows. */
  readonly usageRowsPerSubscriber: number;
  /** Accounts a close credits besides the subscribers' escrows it drains (operators, projects, members, funds). */
  readonly closeAccounts: number;
}

export interface MonthCounts {
  readonly subscribers: number;
  readonly events: number;
  readonly corrections: number;
  readonly requests: number;
  /** UsageRecorded: one per ingest request and one per correction of an open period. */
  readonly announcements: number;
  readonly usageRows: number;
  /** One captured payment (a mint) and one renewal per paying subscriber. */
  readonly payments: number;
  readonly closeAccounts: number;
}

export function monthCounts(shape: MonthShape): MonthCounts {
  const requests = Math.ceil(shape.events / shape.eventsPerRequest);
  const corrections = Math.round(shape.events * shape.correctionShare);
  return {
    subscribers: shape.subscribers,
    events: shape.events,
    corrections,
    requests,
    announcements: requests + corrections,
    usageRows: shape.subscribers * shape.usageRowsPerSubscriber,
    payments: shape.subscribers,
    closeAccounts: shape.closeAccounts,
  };
}

/**
 * What bounds a table: `forever` (append-only, nothing removes it: the ledger's frozen inputs of closed periods,
 * which statements and proofs read, and metering's corrections, not partitioned), `period` (one period's rows:
 * metering's usage partitions, detached past the correction window), `kafka-horizon` (processed-event records, pruned once Kafka can no longer redeliver),
 * `outbox` (sent rows, pruned after the outbox retention), `escrow` (a period's escrow balances, deleted by its
 * close), `stock` (one row per subscriber, not per month).
 */
export type Retention = 'forever' | 'period' | 'kafka-horizon' | 'outbox' | 'escrow' | 'stock';

export interface RetentionSettings {
  /** Closed periods kept attached besides the open one (the correction window); configurable. */
  readonly closedPeriodsAttached: number;
  /** Days a processed-event record is kept: the pruner's redelivery horizon plus its margin. */
  readonly processedEventsDays: number;
  readonly outboxDays: number;
}

/** Months' worth of rows a table holds after `months` months, with its retention setting applied or not. */
export function monthsHeld(
  retention: Retention,
  months: number,
  settings: RetentionSettings,
  applied: boolean,
): number {
  if (retention === 'stock') return 1;
  if (!applied || retention === 'forever') return months;
  switch (retention) {
    case 'period':
      return Math.min(months, 1 + settings.closedPeriodsAttached);
    case 'kafka-horizon':
      return Math.min(months, settings.processedEventsDays / DAYS_PER_MONTH);
    case 'outbox':
      return Math.min(months, settings.outboxDays / DAYS_PER_MONTH);
    case 'escrow':
      return Math.min(months, 1);
  }
}

/** Bytes of one row, as measured: the table's (heap, TOAST, maps) and its indexes'. */
export interface RowBytes {
  readonly table: number;
  readonly index: number;
}

export function rowBytes(measured: { rows: number; tableBytes: number; indexBytes: number }): RowBytes {
  if (measured.rows <= 0) return { table: 0, index: 0 };
  return { table: measured.tableBytes / measured.rows, index: measured.indexBytes / measured.rows };
}

export interface Projection {
  readonly rowsPerMonth: number;
  readonly bytesPerMonth: number;
  /** Bytes held after each horizon (months), without and with the table's retention setting. */
  readonly held: readonly { months: number; without: number; with: number }[];
}

export function project(
  bytes: RowBytes,
  rowsPerMonth: number,
  retention: Retention,
  settings: RetentionSettings,
  horizons: readonly number[],
): Projection {
  const bytesPerMonth = rowsPerMonth * (bytes.table + bytes.index);
  return {
    rowsPerMonth,
    bytesPerMonth,
    held: horizons.map((months) => ({
      months,
      without: bytesPerMonth * monthsHeld(retention, months, settings, false),
      with: bytesPerMonth * monthsHeld(retention, months, settings, true),
    })),
  };
}

/** A table (or the rows of one writer in it) as the bench measures and projects it. */
export interface TableSpec {
  /** `schema-role.table`, with the writer in brackets where a table holds rows of several. */
  readonly name: string;
  /** What its rows follow, in words. */
  readonly driver: string;
  readonly rowsPerMonth: (counts: MonthCounts) => number;
  readonly retention: Retention;
}

/** Entries of one captured payment's mint (`mintTransaction`): payments, reserve, issued, escrow. */
export const MINT_ENTRIES = 4;

export const TABLES: readonly TableSpec[] = [
  { name: 'metering.usage_events', driver: 'events', rowsPerMonth: (c) => c.events, retention: 'period' },
  {
    name: 'metering.usage_corrections',
    driver: 'corrections',
    rowsPerMonth: (c) => c.corrections,
    retention: 'forever',
  },
  {
    name: 'metering.usage_aggregates',
    driver: 'subscribers × (service, meter)',
    rowsPerMonth: (c) => c.usageRows,
    retention: 'period',
  },
  {
    name: 'metering.outbox [requests]',
    driver: 'requests',
    rowsPerMonth: (c) => c.requests,
    retention: 'outbox',
  },
  {
    name: 'metering.outbox [corrections]',
    driver: '2 × corrections',
    rowsPerMonth: (c) => 2 * c.corrections,
    retention: 'outbox',
  },
  {
    name: 'metering.processed_events',
    driver: 'announcements + renewals',
    rowsPerMonth: (c) => c.announcements + c.payments,
    retention: 'kafka-horizon',
  },
  {
    name: 'metering.subscribers',
    driver: 'subscribers (stock)',
    rowsPerMonth: (c) => c.subscribers,
    retention: 'stock',
  },
  {
    name: 'ledger.usage_quantities',
    driver: 'subscribers × (service, meter)',
    rowsPerMonth: (c) => c.usageRows,
    retention: 'forever',
  },
  {
    name: 'ledger.subscriber_tokens',
    driver: 'paying subscribers',
    rowsPerMonth: (c) => c.payments,
    retention: 'forever',
  },
  {
    name: 'ledger.processed_events',
    driver: 'announcements + payments',
    rowsPerMonth: (c) => c.announcements + c.payments,
    retention: 'kafka-horizon',
  },
  {
    name: 'ledger.ledger_transactions [mints]',
    driver: 'payments',
    rowsPerMonth: (c) => c.payments,
    retention: 'forever',
  },
  {
    name: 'ledger.ledger_entries [mints]',
    driver: `${MINT_ENTRIES} × payments`,
    rowsPerMonth: (c) => MINT_ENTRIES * c.payments,
    retention: 'forever',
  },
  {
    name: 'ledger.ledger_entries [close]',
    driver: 'paying subscribers + accounts',
    rowsPerMonth: (c) => c.payments + c.closeAccounts,
    retention: 'forever',
  },
  {
    name: 'ledger.ledger_balances [escrows]',
    driver: 'paying subscribers',
    rowsPerMonth: (c) => c.payments,
    retention: 'escrow',
  },
  {
    name: 'ledger.subscribers',
    driver: 'subscribers (stock)',
    rowsPerMonth: (c) => c.subscribers,
    retention: 'stock',
  },
];

/** A group of the outbox's rows: how many, and the bytes their payloads take as stored (compressed, TOAST). */
export interface OutboxGroup {
  readonly rows: number;
  readonly payloadBytes: number;
  /** Scale for the payload at the target: usage lines per request there over here (1 for fixed-size events). */
  readonly payloadScale: number;
}

/**
 * Splits a measured outbox into its groups of rows: each row takes an equal share of the heap, TOAST overhead and
 * indexes (what is not payload), plus its own payload, scaled to the target's size. A request's announcement grows
 * with its usage lines, which the bench's small size has fewer of than the target's.
 */
export function splitOutbox(
  outbox: { tableBytes: number; indexBytes: number; rows: number },
  groups: readonly OutboxGroup[],
): { rows: number; tableBytes: number; indexBytes: number }[] {
  const payload = groups.reduce((sum, group) => sum + group.payloadBytes, 0);
  const sharedPerRow = outbox.rows > 0 ? (outbox.tableBytes - payload) / outbox.rows : 0;
  const indexPerRow = outbox.rows > 0 ? outbox.indexBytes / outbox.rows : 0;
  return groups.map((group) => ({
    rows: group.rows,
    tableBytes: sharedPerRow * group.rows + group.payloadBytes * group.payloadScale,
    indexBytes: indexPerRow * group.rows,
  }));
}
