import { eventCatalogue, EventValidationError, type CloudEvent } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';
import { messageCreationHeaders } from '../trace-context.js';

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * Records events in the outbox inside the caller's transaction, so state and events commit together.
 *
 * Ordering: before taking outbox ids, the writer takes a transaction-scoped advisory lock per message key
 * (in key order, so writers never deadlock on each other). A later transaction for the same key waits
 * until this one commits and only then draws its ids, so for one key, id order is commit order.
 */
export class OutboxWriter {
  async append(manager: EntityManager, events: readonly CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.append must run inside a transaction (use dataSource.transaction)');
    }
    const rows = events.map((event) => this.toRow(event));
    const lockKeys = [...new Set(rows.map((row) => `${row.topic}/${row.key}`))].sort();
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`,
      [lockKeys],
    );
    await manager.query(
      `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
      [
        rows.map((row) => row.eventId),
        rows.map((row) => row.topic),
        rows.map((row) => row.key),
        rows.map((row) => row.type),
        rows.map((row) => row.payload),
        rows.map((row) => row.headers),
      ],
    );
  }

  private toRow(event: CloudEvent) {
    const contract = eventCatalogue.contractOf(event.type);
    if (!contract) throw new EventValidationError(event.type, 'type', 'no contract for this event type');
    const data = contract.schema.safeParse(event.data);
    if (!data.success) {
      const issue = data.error.issues[0];
      throw new EventValidationError(
        event.type,
        ['data', ...(issue?.path ?? [])].join('.'),
        issue?.message ?? '',
      );
    }
    if (contract.subjectOf(data.data) !== event.subject) {
      throw new EventValidationError(event.type, 'subject', 'does not match the aggregate id of the data');
    }
    const headers = {
      'content-type': CLOUDEVENTS_CONTENT_TYPE,
      ...messageCreationHeaders(contract.topic, event),
    };
    return {
      eventId: event.id,
      topic: contract.topic,
      key: event.subject,
      type: event.type,
      payload: JSON.stringify(event),
      headers: JSON.stringify(headers),
    };
  }
}
