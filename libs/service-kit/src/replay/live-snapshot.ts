import { appliedPositions, committedPositions, type LogPositions } from '@onecommons/kafka';
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
}

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
    // Read before the snapshot is taken: the snapshot then holds at least what these offsets say was applied.
    const committed = await committedPositions(live.kafka, live.liveGroup, live.topics);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const applied = await appliedPositions(client, live.liveSchema, live.liveGroup, live.topics);
      await catchUp({ committed, applied });
      return await digestSchema(client, live.liveSchema, live.projections, 'caller');
    } finally {
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
}
