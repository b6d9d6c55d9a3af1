import { type EntityManager } from 'typeorm';

/**
 * A period's seal lock, a transaction-scoped Postgres advisory lock: every transaction that adds usage or
 * announcements for a period holds it shared; sealing holds it exclusive. So the seal waits for every
 * transaction counting for the period to commit, and no such transaction starts before the seal commits (it
 * then reads the seal and refuses). The two-key form keeps these locks apart from the single-key ones (the
 * outbox writer's); the first key is the schema, since schemas (test runs, replays) share one database.
 */
const LOCK_KEYS = `hashtext('metering.period-seal:' || current_schema()), t.period_number`;

/** Shared, in period order (like every writer): ingest and correction transactions take it first. */
export async function lockPeriodsForUsage(manager: EntityManager, periods: Iterable<string>): Promise<void> {
  const ordered = [...new Set(periods)].sort();
  if (ordered.length === 0) return;
  await manager.query(
    `SELECT pg_advisory_xact_lock_shared(${LOCK_KEYS})
       FROM unnest($1::int[]) WITH ORDINALITY AS t(period_number, n) ORDER BY t.n`,
    [ordered.map(periodNumber)],
  );
}

/** Exclusive: the seal's transaction, before it reads the period's count. */
export async function lockPeriodForSeal(manager: EntityManager, period: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(${LOCK_KEYS}) FROM (SELECT $1::int AS period_number) t`, [
    periodNumber(period),
  ]);
}

/** Months since year 0: exact, ordered like the labels. */
function periodNumber(period: string): number {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return year * 12 + month - 1;
}
