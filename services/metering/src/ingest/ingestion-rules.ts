import { Inject, Injectable } from '@nestjs/common';
import { type ApiKeyPrincipal } from '@onecommons/auth';
import { lateUsageClosesAt, periodOf } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type MeteringConfig } from '../config.js';
import { CorrectionRecorder } from './correction-recorder.js';
import { eventDigest } from './event-digest.js';
import { type IngestFacts, type ServiceFacts } from './ingest-facts.js';
import { IngestRepository } from './ingest.repository.js';
import { countOutcomes } from './ingest-metrics.js';
import { type CorrectionEvent, parseUsageEvent, type Rejection, type UsageEvent } from './usage-event.js';
import { type DatedUsageEvent, eventKey, UsageRecorder } from './usage-recorder.js';

export type Outcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly id: string }
  | ({ readonly status: 'rejected'; readonly id: string | null; readonly retryable: boolean } & Omit<
      Rejection,
      'retryable'
    >);

/** How long a sender should wait before resending an event refused as retryable (projection lag). */
export const RETRY_AFTER_SECONDS = 5;

const RETRY_LATER = { retryable: true } as const;

/** The rules an event must pass before it is counted, then the counting itself. */
@Injectable()
export class UsageIngestion {
  constructor(
    private readonly ingestRepository: IngestRepository,
    private readonly recorder: UsageRecorder,
    private readonly corrections: CorrectionRecorder,
    @Inject(SERVICE_CONFIG) private readonly config: MeteringConfig,
  ) {}

  /** One outcome per input value, in order. Good events are kept even when others in the batch are not. */
  async ingest(key: ApiKeyPrincipal, values: readonly unknown[], now = new Date()): Promise<Outcome[]> {
    const parsed = values.map(parseUsageEvent);
    const subjects = parsed.flatMap((result) =>
      'event' in result
        ? [result.event.subscriberId]
        : 'correction' in result
          ? [result.correction.subscriberId]
          : [],
    );
    const periods = parsed.flatMap((result) => ('event' in result ? [periodOf(result.event.time)] : []));
    const facts = await this.ingestRepository.factsOf(key.serviceId, subjects, periods);
    const serviceRejection = keyServiceRejection(key, facts.service);
    const corrections = new Map<number, CorrectionEvent>();
    const outcomes: (Outcome | DatedUsageEvent | null)[] = parsed.map((result, index) => {
      if ('rejection' in result) return rejected(idOf(values[index]), result.rejection);
      if ('correction' in result) {
        const { correction } = result;
        const rejection =
          this.commonRejection(key, serviceRejection, facts, correction, now) ??
          lagRejection(serviceRejection, facts, correction.subscriberId);
        if (rejection) return rejected(correction.id, rejection);
        corrections.set(index, correction);
        return null;
      }
      const { event } = result;
      const period = periodOf(event.time);
      const periodClosed =
        now >= lateUsageClosesAt(period, this.config.METERING_LATE_EVENT_GRACE_MINUTES) ||
        facts.isSealed(period);
      const rejection = this.usageRejection(key, serviceRejection, facts, event, period, periodClosed, now);
      if (rejection) return rejected(event.id, rejection);
      return {
        ...event,
        period,
        limit: facts.limitOf(event.meter, period),
        periodClosed,
        digest: eventDigest(event),
      };
    });
    // The first occurrence of an event's identity in the request is the one that counts.
    const firsts = new Map<string, DatedUsageEvent>();
    for (const outcome of outcomes)
      if (outcome && !('status' in outcome)) {
        const identity = eventKey(outcome);
        if (!firsts.has(identity)) firsts.set(identity, outcome);
      }
    const recorded = await this.recorder.record([...firsts.values()]);
    // Corrections after the batch's usage, in order: one may correct an event of the same request.
    const corrected = new Map<number, Outcome>();
    for (const [index, correction] of corrections) {
      const result = await this.corrections.record(correction, (period) =>
        facts.limitOf(correction.meter, period),
      );
      corrected.set(
        index,
        typeof result === 'string' ? { status: result, id: correction.id } : rejected(correction.id, result),
      );
    }
    const results = outcomes.map((outcome, index): Outcome => {
      if (outcome === null) return corrected.get(index) as Outcome;
      if ('status' in outcome) return outcome;
      const identity = eventKey(outcome);
      const fate = recorded.get(identity);
      // A repeat within the request shares its first occurrence's refusal; else it is a duplicate of it.
      if (fate === 'over_bound') return rejected(outcome.id, overBound(outcome.limit));
      if (fate === 'period_closed') return rejected(outcome.id, periodClosed(outcome.period));
      return {
        status: firsts.get(identity) === outcome ? (fate ?? 'duplicate') : 'duplicate',
        id: outcome.id,
      };
    });
    countOutcomes(results);
    return results;
  }

  /**
   * Usage must pass the common rules and be plausible on its own. One for a closed period is left to the
   * recorder, which answers `duplicate` when it was counted before (a sender's retry keeps its answer), else
   * `period_closed`: the rules after are for counting, and a retryable refusal would invite a retry in vain.
   */
  private usageRejection(
    key: ApiKeyPrincipal,
    serviceRejection: Rejection | null,
    facts: IngestFacts,
    event: UsageEvent,
    period: string,
    periodClosed: boolean,
    now: Date,
  ): Rejection | null {
    const common = this.commonRejection(key, serviceRejection, facts, event, now);
    if (common || periodClosed) return common;
    const limit = facts.limitOf(event.meter, period);
    if (event.quantity > limit) return overBound(limit);
    return lagRejection(serviceRejection, facts, event.subscriberId);
  }

  /** What every event (usage or correction) must pass: its key's service, operated by the key's organization; a known meter; a sane time. */
  private commonRejection(
    key: ApiKeyPrincipal,
    serviceRejection: Rejection | null,
    facts: IngestFacts,
    { serviceId, meter, time }: Pick<UsageEvent, 'serviceId' | 'meter' | 'time'>,
    now: Date,
  ): Rejection | null {
    if (serviceId !== key.serviceId)
      return {
        code: 'service_not_allowed',
        field: 'data.service',
        message: 'this API key reports for another service',
      };
    if (serviceRejection && !serviceRejection.retryable) return serviceRejection;
    if (!facts.hasMeter(meter))
      return { code: 'unknown_meter', field: 'data.meter', message: `no meter "${meter}"` };
    if (time.getTime() > now.getTime() + this.config.METERING_MAX_FUTURE_SECONDS * 1_000)
      return {
        code: 'time_in_future',
        field: 'time',
        message: `is more than ${this.config.METERING_MAX_FUTURE_SECONDS} s ahead of the platform's clock`,
      };
    return null;
  }
}

const rejected = (id: string | null, rejection: Rejection): Outcome => ({
  status: 'rejected',
  id,
  ...rejection,
  retryable: rejection.retryable ?? false,
});

/**
 * The retryable refusals, checked last so that a sender only retries an event nothing else is wrong with:
 * metering learns of services and subscribers from catalog's and identity's events, and one made a moment
 * ago may not be known yet.
 */
function lagRejection(
  serviceRejection: Rejection | null,
  facts: IngestFacts,
  subscriberId: string,
): Rejection | null {
  if (serviceRejection) return serviceRejection;
  if (facts.isSubscriber(subscriberId)) return null;
  return {
    code: 'unknown_subscriber',
    field: 'subject',
    message: 'is not a registered subscriber (yet): send again later if the account was just created',
    ...RETRY_LATER,
  };
}

/**
 * Whether the key's service may report at all: catalog must have announced it, it must be active, and its
 * operator must be the key's organization (identity checks this when issuing a key; metering again, so that a
 * key outliving a change of operator, or issued wrongly, moves nobody's money).
 */
function keyServiceRejection(key: ApiKeyPrincipal, service: ServiceFacts | null): Rejection | null {
  if (key.serviceId === null)
    return {
      code: 'service_not_allowed',
      field: 'data.service',
      message: 'this API key is bound to no service',
    };
  // Catalog's ServiceCreated may not have reached metering yet when a key is made right after the service.
  if (service === null)
    return {
      code: 'unknown_service',
      field: 'data.service',
      message: 'metering has not heard of this service (yet): send again later if it was just created',
      ...RETRY_LATER,
    };
  if (service.operatorId !== key.organizationId)
    return {
      code: 'service_not_operated',
      field: 'data.service',
      message: "this API key's organization does not operate the service",
    };
  if (service.status !== 'active')
    return { code: 'service_inactive', field: 'data.service', message: `the service is ${service.status}` };
  return null;
}

function overBound(limit: bigint): Rejection {
  return {
    code: 'implausible_quantity',
    field: 'data.quantity',
    message: `would take this subscriber's usage of the service on this meter beyond its bound for the period (${limit})`,
  };
}

/** Past its grace, or sealed for the ledger's close: refused even while racing the seal (never counted after it). */
function periodClosed(period: string): Rejection {
  return {
    code: 'period_closed',
    field: 'time',
    message: `the period ${period} is closed for usage (past its grace or sealed for its close)`,
  };
}

function idOf(value: unknown): string | null {
  const id =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? id : null;
}
