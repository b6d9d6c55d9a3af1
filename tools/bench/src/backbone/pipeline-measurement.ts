import { type DataSource } from 'typeorm';
import { ratePerSecond, summarizeLatencies, type LatencySummary } from '../latency-summary.js';

/**
 * What one run of the pipeline took, read from Postgres: every time is a `clock_timestamp()` of the same
 * server, so writer, relay and consumer share one clock. An effect's time is taken in the consumer's
 * transaction, just before it commits.
 */
export interface PipelineTimings {
  /** First outbox write to last effect: the end-to-end span. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** First to last outbox write: how fast the writers produced. */
  readonly writeEventsPerSecond: number;
  /** First outbox write to the last row the relay marked sent (after Kafka acknowledged it). */
  readonly onKafkaEventsPerSecond: number;
  /** Outbox write to effect, per event, in milliseconds. */
  readonly latencyMs: LatencySummary;
  /** Outbox write to Kafka acknowledgement (as marked by the relay), per event, in milliseconds. */
  readonly relayLatencyMs: LatencySummary;
}

interface SpanRow {
  readonly events: number;
  readonly total_s: number;
  readonly write_s: number;
  readonly kafka_s: number;
}

export async function measurePipeline(dataSource: DataSource): Promise<PipelineTimings> {
  const [span] = (await dataSource.query(`
    SELECT (SELECT count(*) FROM bench_effects)::int AS events,
           extract(epoch FROM (SELECT max(applied_at) FROM bench_effects) - min(created_at))::float8 AS total_s,
           extract(epoch FROM max(created_at) - min(created_at))::float8 AS write_s,
           extract(epoch FROM max(published_at) - min(created_at))::float8 AS kafka_s
    FROM outbox`)) as SpanRow[];
  if (!span) throw new Error('no outbox rows to measure');
  const latencies = (await dataSource.query(`
    SELECT (extract(epoch FROM e.applied_at - o.created_at) * 1000)::float8 AS effect_ms,
           (extract(epoch FROM o.published_at - o.created_at) * 1000)::float8 AS relay_ms
    FROM bench_effects e JOIN outbox o USING (event_id)`)) as { effect_ms: number; relay_ms: number }[];
  return {
    seconds: span.total_s,
    eventsPerSecond: ratePerSecond(span.events, span.total_s),
    // One transaction's rows share a commit; the span between the first and last write needs more than one.
    writeEventsPerSecond: span.write_s > 0 ? ratePerSecond(span.events, span.write_s) : Number.NaN,
    onKafkaEventsPerSecond: ratePerSecond(span.events, span.kafka_s),
    latencyMs: summarizeLatencies(latencies.map((row) => row.effect_ms)),
    relayLatencyMs: summarizeLatencies(latencies.map((row) => row.relay_ms)),
  };
}

/** How fast the consumer alone drained a backlog: first to last effect, as the database's clock saw them. */
export interface DrainTimings {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export async function measureDrain(dataSource: DataSource): Promise<DrainTimings> {
  const [span] = (await dataSource.query(`
    SELECT count(*)::int AS events,
           extract(epoch FROM max(applied_at) - min(applied_at))::float8 AS seconds
    FROM bench_effects`)) as { events: number; seconds: number }[];
  if (!span) throw new Error('no effects to measure');
  return { ...span, eventsPerSecond: ratePerSecond(span.events, span.seconds) };
}

interface CountsRow {
  readonly outbox_rows: number;
  readonly unpublished: number;
  readonly effect_rows: number;
  readonly distinct_effects: number;
  readonly effects_of_outbox_events: number;
  readonly processed: number;
  readonly out_of_order: number;
}

/**
 * Checks the run did what the backbone promises: every written event applied exactly once, none lost,
 * none invented, and per aggregate in the order it was written. Returns the problems found (none = pass).
 */
export async function verifyPipeline(
  dataSource: DataSource,
  expectedEvents: number,
  consumerGroup: string,
): Promise<string[]> {
  const [counts] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM outbox)::int AS outbox_rows,
            (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS unpublished,
            (SELECT count(*) FROM bench_effects)::int AS effect_rows,
            (SELECT count(DISTINCT event_id) FROM bench_effects)::int AS distinct_effects,
            (SELECT count(DISTINCT e.event_id) FROM bench_effects e JOIN outbox o USING (event_id))::int
              AS effects_of_outbox_events,
            (SELECT count(*) FROM processed_events WHERE consumer_group = $1)::int AS processed,
            (SELECT count(*) FROM (
               SELECT o.id, lag(o.id) OVER (PARTITION BY o.message_key ORDER BY e.applied_at, o.id) AS before
               FROM bench_effects e JOIN outbox o USING (event_id)) ordered
             WHERE ordered.before > ordered.id)::int AS out_of_order`,
    [consumerGroup],
  )) as CountsRow[];
  if (!counts) return ['the verification query returned nothing'];
  const expectations: [string, number, number][] = [
    ['outbox rows', counts.outbox_rows, expectedEvents],
    ['outbox rows never marked sent', counts.unpublished, 0],
    ['effect rows', counts.effect_rows, expectedEvents],
    ['distinct event ids among effects', counts.distinct_effects, expectedEvents],
    ['effects of events written to the outbox', counts.effects_of_outbox_events, expectedEvents],
    ['processed_events records of the group', counts.processed, expectedEvents],
    ['effects applied out of order within an aggregate', counts.out_of_order, 0],
  ];
  return expectations
    .filter(([, actual, expected]) => actual !== expected)
    .map(([what, actual, expected]) => `${what}: ${actual}, expected ${expected}`);
}
