import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type Producer, type Message } from 'kafkajs';
import { openLockConnection, tryAdvisoryLock } from '@onecommons/persistence';
import pg from 'pg';
import { backoffDelay, sleep } from '../backoff.js';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { linksToProducers } from '../trace-context.js';
import { producerStateLost } from './producer-state.js';

const tracer = trace.getTracer('onecommons-backbone');

export interface OutboxRelayOptions {
  /** A session of its own: the leader lock is a session advisory lock, and it LISTENs for new rows. */
  readonly sessionDatabaseUrl: string;
  readonly schema: string;
  readonly producer: Producer;
  /**
   * Replaces a producer whose state the broker lost (see `producerStateLost`); without it such a relay
   * would fail the same way on every retry.
   */
  readonly renewProducer?: (broken: Producer) => Promise<Producer>;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** A silent leader's session is dropped, and its lock freed, within this bound (`openLockConnection`). */
  readonly deadPeerSeconds?: number;
  readonly logger: RelayLogger;
  readonly metrics?: BackboneMetrics;
  /** Test hook: runs after a batch reached Kafka and before it is marked sent (a crash lands here). */
  readonly afterSend?: (eventIds: readonly string[]) => Promise<void>;
}

export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/**
 * Payload bytes per send: below the broker's default `message.max.bytes` (1 MiB per partition's record batch),
 * so a relay batch of large events (a UsageRecorded of a whole ingest request) is never refused as too large.
 */
const MAX_SEND_BYTES = 900_000;

interface PendingRow {
  readonly id: string;
  readonly event_id: string;
  readonly topic: string;
  readonly message_key: string;
  readonly payload: string;
  readonly headers: Record<string, string>;
}

/**
 * Publishes a service's outbox to Kafka with an idempotent producer.
 *
 * One relay per schema holds a session advisory lock (leader); others wait. It reads rows still unsent,
 * in id order, instead of reading past a cursor: a row whose transaction commits after a row with a
 * higher id is still unsent when it becomes visible, so it is published then, never skipped. Rows are
 * marked sent only after Kafka acknowledged them; a crash in between re-sends them (consumers dedupe).
 */
export class OutboxRelay {
  private client: pg.Client | undefined;
  private stopping = false;
  private readonly wake = new EventTarget();
  /** A row was committed since the last drain began: a notification that came during a drain is not lost. */
  private woken = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private leader = false;
  private producer: Producer;

  constructor(private readonly options: OutboxRelayOptions) {
    this.producer = options.producer;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake.dispatchEvent(new Event('wake'));
    await this.loop;
    this.loop = undefined;
  }

  /** Publishes everything unsent right now; used by the loop and by tests. Returns rows published. */
  async drain(client: pg.Client): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      // At most `batchSize` rows and `MAX_SEND_BYTES` of payload (the first row goes however large).
      const { rows } = await client.query<PendingRow & { cut_before_next: boolean }>(
        `SELECT id, event_id, topic, message_key, payload, headers, next_bytes IS NOT NULL AS cut_before_next FROM (
           SELECT id, event_id, topic, message_key, payload, headers,
                  row_number() OVER (ORDER BY id) AS position,
                  sum(octet_length(payload)) OVER (ORDER BY id) AS bytes_through,
                  lead(octet_length(payload)) OVER (ORDER BY id) AS next_bytes
             FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
         ) pending WHERE position = 1 OR bytes_through <= $2 ORDER BY id`,
        [this.options.batchSize, MAX_SEND_BYTES],
      );
      if (rows.length === 0) break;
      const more = rows.length === this.options.batchSize || rows.at(-1)?.cut_before_next === true;
      await this.publish(rows);
      await this.options.afterSend?.(rows.map((row) => row.event_id));
      await client.query(`UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      total += rows.length;
      this.options.metrics?.outboxPublished.inc(rows.length);
      if (!more) break;
    }
    return total;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.connectAsLeader();
        failures = 0;
        await this.relayWhileLeader();
      } catch (error) {
        failures++;
        this.options.logger.error(`outbox relay for ${this.options.schema} failed; retrying`, error);
        await this.disconnect();
        await sleep(backoffDelay(failures, 200, 10_000), this.abort.signal);
      }
    }
    await this.disconnect();
  }

  private async connectAsLeader(): Promise<void> {
    const client = await openLockConnection({
      url: this.options.sessionDatabaseUrl,
      schema: this.options.schema,
      applicationName: `outbox-relay:${this.options.schema}`,
      ...(this.options.deadPeerSeconds === undefined
        ? {}
        : { deadPeerSeconds: this.options.deadPeerSeconds }),
    });
    client.on('error', (error) =>
      this.options.logger.warn(`outbox relay connection error: ${error.message}`),
    );
    this.client = client;
    while (!this.stopping) {
      if (await tryAdvisoryLock(client, `onecommons:outbox-relay:${this.options.schema}`)) break;
      await sleep(this.options.pollIntervalMs * 5, this.abort.signal);
    }
    if (this.stopping) return;
    this.leader = true;
    client.on('notification', () => {
      this.woken = true;
      this.wake.dispatchEvent(new Event('wake'));
    });
    await client.query(`LISTEN ${pg.escapeIdentifier(`${this.options.schema}_outbox`)}`);
    this.options.logger.log(`outbox relay for ${this.options.schema} is leader`);
  }

  private async relayWhileLeader(): Promise<void> {
    const client = this.client;
    while (!this.stopping && client) {
      this.woken = false;
      await this.drain(client);
      await this.reportBacklog(client);
      await this.waitForWork();
    }
  }

  private async reportBacklog(client: pg.Client): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const { rows } = await client.query<{ pending: string; oldest_seconds: number | null }>(
      `SELECT count(*) AS pending, extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS oldest_seconds
       FROM outbox WHERE published_at IS NULL`,
    );
    metrics.outboxBacklog.set(Number(rows[0]?.pending ?? 0));
    metrics.outboxOldestPendingSeconds.set(rows[0]?.oldest_seconds ?? 0);
  }

  private waitForWork(): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollIntervalMs);
      const wake = this.wake;
      function done() {
        clearTimeout(timer);
        wake.removeEventListener('wake', done);
        resolve();
      }
      wake.addEventListener('wake', done, { once: true });
    });
  }

  /**
   * One send span per batch, linked to each message's creation span: the relay is not part of the requests that
   * wrote the rows. A batch that no trace asked for is sent without one, rather than a trace of its own per poll.
   */
  private publish(rows: readonly PendingRow[]): Promise<void> {
    const links = linksToProducers(rows.map((row) => row.headers));
    if (links.length === 0) return this.send(rows);
    const topics = [...new Set(rows.map((row) => row.topic))].sort();
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.batch.message_count': rows.length,
      ...(topics.length === 1 ? { 'messaging.destination.name': topics[0] } : {}),
    };
    const name = topics.length === 1 ? `${topics[0]} send` : 'send';
    return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes, links }, async (span) => {
      try {
        await this.send(rows);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async send(rows: readonly PendingRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
      byTopic.set(row.topic, messages);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      if (this.options.renewProducer && producerStateLost(error)) {
        this.options.logger.warn('the broker lost the relay producer’s state: starting a new producer');
        this.producer = await this.options.renewProducer(this.producer);
      }
      throw error; // the rows stay unsent; the next attempt sends them with the new producer
    }
  }

  private async disconnect(): Promise<void> {
    this.leader = false;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.end(); // releases the leader lock with the session
    } catch {
      // already broken
    }
  }
}
