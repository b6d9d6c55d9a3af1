import { appliedPositions, committedPositions, type LogPositions, sleep } from '@onecommons/kafka';
import { digestSchema, type DigestedTable, type SchemaDigest } from '@onecommons/persistence';
import { type Kafka } from 'kafkajs';
import pg from 'pg';

export interface LiveSide {
  readonly adminUrl: string;
  readonly liveSchema: string;
  /** The live service's consumer group: its committed offsets and its processed-event records. */
  readonly liveGroup: string;
  readonly kafka: Kafka;
  readonly topics: readonly string[];
  readonly projections: readonly DigestedTable[];
  /**
   * Event types the service publishes on its own topics and applies from them (the ledger's closes): the live
   * state holds such an event's effect as soon as its command committed, the log only once it is applied.
   */
  readonly ownAppliedTypes: readonly string[];
}

/** How long a verify waits for the live service to apply its own events in flight before comparing anyway. */
const OWN_EVENTS_WAIT_MS = 30_000;

/** What a snapshot of the live schema is known to hold, per partition (see `positionsOfSnapshot`). */
export interface LiveSnapshotPositions {
  readonly committed: LogPositions;
  readonly applied: LogPositions;
}

/**
 * Takes one REPEATABLE READ snapshot of the live schema, tells `catchUp` which log positions it stands at, and
 * once the replay is there digests the live projections in that same snapshot: live traffic meanwhile moves the
 * live schema on, not the state compared. The snapshot is held only while the replay catches up (the traffic
 * since the first pass's positions were read).
 */
export async function atLivePositions(
  live: LiveSide,
  catchUp: (positions: LiveSnapshotPositions) => Promise<void>,
): Promise<SchemaDigest> {
  const client = new pg.Client({
    connectionString: live.adminUrl,
    application_name: `replay-verify:${live.liveSchema}`,
  });
  await client.connect();
  try {
    const deadline = Date.now() + OWN_EVENTS_WAIT_MS;
    for (;;) {
      // Read before the snapshot is taken: the snapshot then holds at least what these offsets say was applied.
      const committed = await committedPositions(live.kafka, live.liveGroup, live.topics);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        // A snapshot taken between a command (a close) and its event's return through the topic holds a state
        // no log position gives: take another once the service has applied its own events.
        if ((await ownEventsInFlight(client, live)) === 0 || Date.now() >= deadline) {
          const applied = await appliedPositions(client, live.liveSchema, live.liveGroup, live.topics);
          await catchUp({ committed, applied });
          return await digestSchema(client, live.liveSchema, live.projections, 'caller');
        }
      } finally {
        await client.query('COMMIT');
      }
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}

/** The service's own events in its outbox (in the snapshot) that its live consumer has not applied yet. */
async function ownEventsInFlight(client: pg.Client, live: LiveSide): Promise<number> {
  if (live.ownAppliedTypes.length === 0) return 0;
  const schema = pg.escapeIdentifier(live.liveSchema);
  const { rows } = await client.query<{ pending: number }>(
    `SELECT count(*)::int AS pending FROM ${schema}.outbox o
      WHERE o.event_type = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM ${schema}.processed_events p
                         WHERE p.consumer_group = $2 AND p.event_id = o.event_id)`,
    [live.ownAppliedTypes, live.liveGroup],
  );
  return rows[0]?.pending ?? 0;
}
