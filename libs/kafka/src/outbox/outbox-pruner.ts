import { type DataSource } from 'typeorm';

/**
 * Deletes outbox rows sent longer ago than the retention; they are on Kafka by then. Deletes in slices
 * so a large backlog never holds long locks. Returns how many rows went.
 */
export async function pruneSentOutboxRows(
  dataSource: DataSource,
  retentionHours: number,
  slice = 5_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows: { deleted: number }[] = await dataSource.query(
      `WITH gone AS (
         DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox
           WHERE published_at IS NOT NULL AND published_at < clock_timestamp() - make_interval(hours => $1)
           LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [retentionHours, slice],
    );
    const deleted = rows[0]?.deleted ?? 0;
    total += deleted;
    if (deleted < slice) return total;
  }
}
