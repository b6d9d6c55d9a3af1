import { Inject, Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';
import { SecretSealer, signatureHeader } from '../endpoints/signing-secrets.js';
import { TargetGuard, TargetRefusedError } from '../targets/target-guard.js';
import { type ClaimedDelivery, DeliveriesRepository } from './deliveries.repository.js';
import { nextStep, retryAfterSeconds, type RetryRules } from './retry-schedule.js';
import { type AttemptOutcome, endpointsDisabled, webhookDeliveries } from './webhook-metrics.js';
import { sendWebhook, type SendResult } from './webhook-sender.js';

/** What the worker does next with a delivery's job: nothing more, or wake up again at a time. */
export type AttemptResult = { readonly kind: 'done' } | { readonly kind: 'later'; readonly at: Date };

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
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
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
      await this.deliveries.failForDisabledEndpoint(this.dataSource.manager, deliveryId);
      return { kind: 'done' };
    }
    const record = await this.send(delivery);
    return this.record(delivery, record);
  }

  private async claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    const leaseSeconds = Math.ceil(this.timeoutMs / 1000) + 30;
    return this.deliveries.claim(this.dataSource.manager, deliveryId, leaseSeconds);
  }

  /** A pending delivery not yet due, or leased by another worker, is looked at again later; others are done. */
  private async whyNotClaimed(deliveryId: string): Promise<AttemptResult> {
    const wakeAt = await this.deliveries.wakeAt(this.dataSource.manager, deliveryId);
    return wakeAt ? { kind: 'later', at: wakeAt } : { kind: 'done' };
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
    const secrets = [delivery.secretSealed, delivery.previousSecretSealed]
      .filter((sealed): sealed is string => sealed !== null)
      .map((sealed) => this.sealer.unseal(sealed, delivery.endpointId));
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
    const roundAttempts = delivery.roundAttempts + 1;
    const gone = attempt.statusCode === 410;
    const step =
      attempt.outcome === 'succeeded' || gone
        ? null
        : nextStep(this.rules, roundAttempts, attempt.retryAfter);
    const retryAt = step && 'retryInMs' in step ? new Date(Date.now() + step.retryInMs) : null;
    const status = attempt.outcome === 'succeeded' ? 'succeeded' : retryAt ? 'pending' : 'failed';
    const disabledNow = await this.dataSource.transaction(async (manager) => {
      await this.deliveries.logAttempt(manager, {
        id: uuidV7(),
        deliveryId: delivery.id,
        number,
        trigger: delivery.manual ? 'manual' : 'automatic',
        outcome: attempt.outcome,
        statusCode: attempt.statusCode,
        durationMs: attempt.durationMs,
        error: attempt.error,
        responseExcerpt: attempt.excerpt,
      });
      await this.deliveries.recordAttempt(manager, delivery.id, {
        status,
        attempts: number,
        roundAttempts,
        nextAttemptAt: retryAt,
        lastError: attempt.error,
      });
      if (!gone) return false;
      return this.endpoints.disableGone(manager, delivery.endpointId);
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
