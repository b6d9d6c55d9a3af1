import { Inject, Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { SecretSealer, signatureHeader } from '../endpoints/signing-secrets.js';
import { TargetGuard, TargetRefusedError } from '../targets/target-guard.js';
import { nextStep, retryAfterSeconds, type RetryRules } from './retry-schedule.js';
import { type AttemptOutcome, endpointsDisabled, webhookDeliveries } from './webhook-metrics.js';
import { sendWebhook, type SendResult } from './webhook-sender.js';

/** What the worker does next with a delivery's job: nothing more, or wake up again at a time. */
export type AttemptResult = { readonly kind: 'done' } | { readonly kind: 'later'; readonly at: Date };

interface ClaimedDelivery {
  id: string;
  body: string;
  attempts: number;
  round_attempts: number;
  manual: boolean;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
}

interface AttemptRecord {
  readonly outcome: 'succeeded' | 'failed' | 'refused';
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly excerpt: string | null;
  readonly retryAfter: number | null;
}

const SUCCESS = /^2\d\d$/;
const HONOURS_RETRY_AFTER = new Set([429, 503]);

/**
 * One attempt of one delivery, with its effects in Postgres: claims the delivery (a lease, so two workers
 * never send it at once), checks the target again (DNS may have changed), signs with the endpoint's
 * secrets, POSTs, logs the attempt and decides what follows: done, a retry on the schedule (or when the
 * receiver's Retry-After says), giving up, or disabling the endpoint on 410 Gone.
 */
@Injectable()
export class DeliveryAttempter {
  private readonly rules: RetryRules;
  private readonly timeoutMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly guard: TargetGuard,
    private readonly sealer: SecretSealer,
    @Inject(SERVICE_CONFIG) config: WebhooksConfig,
  ) {
    this.rules = {
      scheduleSeconds: config.WEBHOOKS_RETRY_SCHEDULE_SECONDS,
      jitterPercent: config.WEBHOOKS_RETRY_JITTER_PERCENT,
      maxRetryAfterSeconds: config.WEBHOOKS_MAX_RETRY_AFTER_SECONDS,
    };
    this.timeoutMs = config.WEBHOOKS_DELIVERY_TIMEOUT_MS;
  }

  async attempt(deliveryId: string): Promise<AttemptResult> {
    const delivery = await this.claim(deliveryId);
    if (!delivery) return this.whyNotClaimed(deliveryId);
    if (!delivery.enabled) {
      await this.dataSource.query(
        `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL, manual = false,
                last_error = 'endpoint disabled', updated_at = now() WHERE id = $1`,
        [deliveryId],
      );
      return { kind: 'done' };
    }
    const record = await this.send(delivery);
    return this.record(delivery, record);
  }

  private async claim(deliveryId: string): Promise<ClaimedDelivery | undefined> {
    const leaseSeconds = Math.ceil(this.timeoutMs / 1000) + 30;
    const [claimed] = (await this.dataSource.query(
      `UPDATE deliveries AS d SET lease_until = now() + make_interval(secs => $2)
         FROM endpoints AS e
        WHERE d.id = $1 AND e.id = d.endpoint_id AND d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
       RETURNING d.id, d.body, d.attempts, d.round_attempts, d.manual, d.endpoint_id, e.url, e.enabled,
                 e.secret_sealed,
                 CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_sealed END
                   AS previous_secret_sealed`,
      [deliveryId, leaseSeconds],
    )) as [ClaimedDelivery[], number];
    return claimed[0];
  }

  /** A pending delivery not yet due, or leased by another worker, is looked at again later; others are done. */
  private async whyNotClaimed(deliveryId: string): Promise<AttemptResult> {
    const [row] = (await this.dataSource.query(
      `SELECT GREATEST(next_attempt_at, lease_until) AS wake_at FROM deliveries
        WHERE id = $1 AND status = 'pending'`,
      [deliveryId],
    )) as { wake_at: Date }[];
    return row ? { kind: 'later', at: row.wake_at } : { kind: 'done' };
  }

  private async send(delivery: ClaimedDelivery): Promise<AttemptRecord> {
    let target;
    try {
      target = await this.guard.vet(delivery.url);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      return {
        outcome: 'refused',
        statusCode: null,
        durationMs: 0,
        error: error.message,
        excerpt: null,
        retryAfter: null,
      };
    }
    const secrets = [delivery.secret_sealed, delivery.previous_secret_sealed]
      .filter((sealed): sealed is string => sealed !== null)
      .map((sealed) => this.sealer.unseal(sealed, delivery.endpoint_id));
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const result: SendResult = await sendWebhook(
      target,
      {
        webhookId: delivery.id,
        timestampSeconds,
        signature: signatureHeader(secrets, delivery.id, timestampSeconds, delivery.body),
        body: delivery.body,
      },
      this.timeoutMs,
    );
    if (result.kind === 'error')
      return {
        outcome: 'failed',
        statusCode: null,
        durationMs: result.durationMs,
        error: result.error,
        excerpt: null,
        retryAfter: null,
      };
    const succeeded = SUCCESS.test(String(result.status));
    return {
      outcome: succeeded ? 'succeeded' : 'failed',
      statusCode: result.status,
      durationMs: result.durationMs,
      error: succeeded ? null : `HTTP ${result.status}`,
      excerpt: result.excerpt,
      retryAfter: HONOURS_RETRY_AFTER.has(result.status) ? retryAfterSeconds(result.retryAfter) : null,
    };
  }

  private async record(delivery: ClaimedDelivery, attempt: AttemptRecord): Promise<AttemptResult> {
    const number = delivery.attempts + 1;
    const roundAttempts = delivery.round_attempts + 1;
    const gone = attempt.statusCode === 410;
    const step =
      attempt.outcome === 'succeeded' || gone
        ? null
        : nextStep(this.rules, roundAttempts, attempt.retryAfter);
    const retryAt = step && 'retryInMs' in step ? new Date(Date.now() + step.retryInMs) : null;
    const status = attempt.outcome === 'succeeded' ? 'succeeded' : retryAt ? 'pending' : 'failed';
    const disabledNow = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO delivery_attempts (id, delivery_id, number, trigger, outcome, status_code, duration_ms, error,
                                        response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          uuidV7(),
          delivery.id,
          number,
          delivery.manual ? 'manual' : 'automatic',
          attempt.outcome,
          attempt.statusCode,
          attempt.durationMs,
          attempt.error,
          attempt.excerpt,
        ],
      );
      await manager.query(
        `UPDATE deliveries SET status = $2, attempts = $3, round_attempts = $4, next_attempt_at = $5, lease_until = NULL,
                manual = false, last_error = $6, updated_at = now()
          WHERE id = $1`,
        [delivery.id, status, number, roundAttempts, retryAt, attempt.error],
      );
      if (!gone) return false;
      const [, disabled] = (await manager.query(
        `UPDATE endpoints SET enabled = false, disabled_reason = 'gone', updated_at = now() WHERE id = $1 AND enabled`,
        [delivery.endpoint_id],
      )) as [unknown[], number];
      return disabled > 0;
    });
    if (disabledNow) endpointsDisabled.inc();
    const outcome: AttemptOutcome =
      attempt.outcome === 'succeeded'
        ? 'succeeded'
        : gone
          ? 'gone'
          : attempt.outcome === 'refused'
            ? 'refused'
            : retryAt
              ? 'retrying'
              : 'failed';
    webhookDeliveries.inc({ outcome });
    return retryAt ? { kind: 'later', at: retryAt } : { kind: 'done' };
  }
}
