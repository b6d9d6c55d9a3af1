import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { backoffDelay } from '@onecommons/kafka';
import { PeriodicTask, RunMode, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type IdentityConfig } from '../config.js';
import { type AccountMail, renderAccountMail } from './account-mail.js';
import { countMail } from './mail-metrics.js';
import { MailQueue } from './mail-queue.js';
import { type ClaimedMail, OutgoingMailRepository } from './outgoing-mail.repository.js';
import { isPermanentRefusal, SmtpMailer } from './smtp-mailer.js';

/** Messages one replica sends per tick at most, so a tick ends. */
const BATCH = 20;
/** Retries back off from 5 s, doubling, to 30 min: twelve attempts span about two hours. */
const MAX_ATTEMPTS = 12;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 30 * 60_000;

/**
 * Sends queued mail. Every serving replica polls every MAIL_SEND_INTERVAL_MS; each message is claimed with
 * `FOR UPDATE SKIP LOCKED` and sent inside the transaction that holds it, then deleted, so replicas share the
 * work and never send one message at once. A crash between the SMTP server's acceptance and the commit sends
 * it again later (at least once). A failure is retried with backoff; a permanent refusal (5xx) or the last
 * attempt leaves the row as a dead letter (`failed_at`, `last_error`) and counts it failed.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailSender');
  private readonly task = new PeriodicTask('MailSender', () => this.sendBatch(), 0);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outgoing: OutgoingMailRepository,
    private readonly queue: MailQueue,
    private readonly mailer: SmtpMailer,
    private readonly runMode: RunMode,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.runMode.serves) this.task.start(this.config.MAIL_SEND_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
  }

  /** Sends what is due now (at most a batch); how many messages it handled. */
  sendDue(): Promise<number> {
    return this.task.runNow();
  }

  private async sendBatch(): Promise<number> {
    let handled = 0;
    while (handled < BATCH && !this.stopping && (await this.sendOne())) handled++;
    return handled;
  }

  /** Claims, sends and settles one due message; false when none is due. */
  private sendOne(): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const claimed = await this.outgoing.claimDue(manager);
      if (!claimed) return false;
      let mail: AccountMail;
      try {
        mail = this.queue.contentOf(claimed.id, claimed.contentSealed);
      } catch (error) {
        this.logger.error(`mail ${claimed.id} is unreadable, given up: ${String(error)}`);
        await this.outgoing.giveUp(manager, claimed.id, 'unreadable content');
        return true;
      }
      try {
        await this.mailer.send(claimed.recipient, renderAccountMail(mail));
        await this.outgoing.delete(manager, claimed.id);
        countMail(mail.template, 'sent');
      } catch (error) {
        await this.settleFailure(manager, claimed, mail, error);
      }
      return true;
    });
  }

  private async settleFailure(
    manager: EntityManager,
    claimed: ClaimedMail,
    mail: AccountMail,
    error: unknown,
  ): Promise<void> {
    const attempt = claimed.attempts + 1;
    const reason = String(error).slice(0, 500);
    if (isPermanentRefusal(error) || attempt >= MAX_ATTEMPTS) {
      this.logger.error(`${mail.template} mail ${claimed.id} given up after ${attempt} attempts: ${reason}`);
      await this.outgoing.giveUp(manager, claimed.id, reason);
      countMail(mail.template, 'failed');
      return;
    }
    const delayMs = backoffDelay(attempt, RETRY_BASE_MS, RETRY_MAX_MS);
    this.logger.warn(
      `${mail.template} mail ${claimed.id} not sent (attempt ${attempt}), retry in ${delayMs} ms: ${reason}`,
    );
    await this.outgoing.scheduleRetry(manager, claimed.id, delayMs, reason);
    countMail(mail.template, 'retried');
  }
}
