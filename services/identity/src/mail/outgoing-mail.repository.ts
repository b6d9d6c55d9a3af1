import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type MailTemplate } from './account-mail.js';

export interface NewOutgoingMail {
  readonly id: string;
  readonly accountId: string;
  readonly recipient: string;
  readonly template: MailTemplate;
  readonly contentSealed: string;
}

/** A message due for sending, locked by the transaction that claimed it. */
export interface ClaimedMail {
  readonly id: string;
  readonly recipient: string;
  readonly template: string;
  readonly contentSealed: string;
  readonly attempts: number;
}

const claimedRow = z
  .object({
    id: z.string(),
    recipient: z.string(),
    template: z.string(),
    content_sealed: z.string(),
    attempts: z.number().int(),
  })
  .transform((row): ClaimedMail => ({
    id: row.id,
    recipient: row.recipient,
    template: row.template,
    contentSealed: row.content_sealed,
    attempts: row.attempts,
  }));

/** The outgoing_mail table: mail queued with the change that caused it, until the SMTP server takes it. */
@Injectable()
export class OutgoingMailRepository {
  async insert(manager: EntityManager, mail: NewOutgoingMail): Promise<void> {
    await manager.query(
      `INSERT INTO outgoing_mail (id, account_id, recipient, template, content_sealed) VALUES ($1, $2, $3, $4, $5)`,
      [mail.id, mail.accountId, mail.recipient, mail.template, mail.contentSealed],
    );
  }

  /**
   * The oldest message due now that no other transaction holds, locked until this one ends; null when none.
   * Replicas skip each other's rows, so one message is sent by one replica at a time.
   */
  async claimDue(manager: EntityManager): Promise<ClaimedMail | null> {
    const [mail] = await queryRows(
      manager,
      {
        name: 'outgoingMail.claimDue',
        row: claimedRow,
        sql: `SELECT id, recipient, template, content_sealed, attempts FROM outgoing_mail
         WHERE failed_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      },
      [],
    );
    return mail ?? null;
  }

  /** Sent: nothing of it is kept. */
  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query('DELETE FROM outgoing_mail WHERE id = $1', [id]);
  }

  async scheduleRetry(manager: EntityManager, id: string, delayMs: number, error: string): Promise<void> {
    await manager.query(
      `UPDATE outgoing_mail SET attempts = attempts + 1, last_error = $3,
         next_attempt_at = now() + make_interval(secs => $2::float8 / 1000) WHERE id = $1`,
      [id, delayMs, error],
    );
  }

  /** Given up (the dead letter): kept with its error for an operator, never tried again. */
  async giveUp(manager: EntityManager, id: string, error: string): Promise<void> {
    await manager.query(
      `UPDATE outgoing_mail SET attempts = attempts + 1, last_error = $2, failed_at = now() WHERE id = $1`,
      [id, error],
    );
  }

  /** Forgets every message to the account, sent or not (its address is being erased). */
  async deleteOfAccount(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query('DELETE FROM outgoing_mail WHERE account_id = $1', [accountId]);
  }
}
