import { type UsageReportEvent, USAGE_REPORT_TYPE } from '@onecommons/contracts';
import { setTimeout as sleep } from 'node:timers/promises';

/** A service that reports usage: its id and its `metering:write` API key. */
export interface ReportingService {
  readonly id: string;
  readonly apiKey: string;
}

export interface UsageLoadOptions {
  readonly gatewayUrl: string;
  readonly services: readonly ReportingService[];
  readonly subscribers: readonly string[];
  readonly meters: readonly string[];
  /** The events' CloudEvents `source`; with the request counter it makes every id. */
  readonly source: string;
  /** The events' `time`: one instant, so every event falls in one period. */
  readonly time: Date;
  /** Concurrent senders, each sending its next request `pauseMs` after the last one was acknowledged. */
  readonly workers: number;
  readonly pauseMs: number;
}

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
/** Refusals that a retry cannot change: the event itself is wrong (the suite sends none on purpose). */
const PERMANENT = new Set([400, 403, 404, 413, 415, 422]);
const REQUEST_TIMEOUT_MS = 15_000;

/** One request of the load: its events never change, so a retry sends the same ids. */
interface UsageRequest {
  readonly sequence: number;
  readonly service: ReportingService;
  readonly events: readonly UsageReportEvent[];
  readonly single: boolean;
}

type Outcome = { status: 'accepted' | 'duplicate' | 'rejected'; id: string | null; code?: string };

/** `subscriber/service/meter` → quantity. */
export type UsageTotals = Map<string, bigint>;
export const usageKey = (subscriber: string, service: string, meter: string) =>
  `${subscriber}/${service}/${meter}`;

/** An acknowledged request: when it was (last) sent and when the 2xx came back. */
interface Acknowledgement {
  readonly sentAt: number;
  readonly ackedAt: number;
}

/** A failed attempt: when, and why (HTTP status, `timeout` or `network`). */
interface FailedAttempt {
  readonly at: number;
  readonly reason: string;
}

/**
 * A steady stream of usage events through the gateway, as a well-behaved reporting service sends them: ids
 * derived from a counter (NOTES: "ids must come from the source record"), single events and batches, and
 * every request retried with the same body until the platform acknowledges it with a 2xx. What was
 * acknowledged (accepted, or duplicate of an earlier attempt that was counted) is what must be counted once.
 */
export class UsageLoad {
  private sequence = 0;
  private stopping = false;
  private abandonAfter = Number.POSITIVE_INFINITY;
  private workers: Promise<void>[] = [];
  private readonly acknowledgedIds = new Set<string>();
  readonly totals: UsageTotals = new Map();
  readonly acknowledgements: Acknowledgement[] = [];
  readonly failures: FailedAttempt[] = [];
  /** Events answered `duplicate`: a retry whose earlier attempt was counted though its answer was lost. */
  duplicates = 0;
  /** Events the platform refused for good, or never acknowledged before the load gave up on them. */
  readonly refused: { readonly sequence: number; readonly reason: string }[] = [];
  readonly unacknowledged: number[] = [];

  constructor(private readonly options: UsageLoadOptions) {}

  get acknowledgedEvents(): number {
    return this.acknowledgedIds.size;
  }

  start(): void {
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  /**
   * Stops sending new requests; a request in flight is still retried until acknowledged, for at most
   * `drainMs`, after which it is listed as unacknowledged.
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    this.abandonAfter = Date.now() + drainMs;
    await Promise.all(this.workers);
  }

  /** Resolves with the time of the first acknowledgement of a request sent at or after `since`. */
  async acknowledgedSince(since: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.acknowledgements.find((ack) => ack.sentAt >= since);
      if (found) return found.ackedAt;
      if (Date.now() > deadline)
        throw new Error(`no usage request sent after the fault was acknowledged within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      await this.deliver(this.nextRequest());
      await sleep(this.options.pauseMs);
    }
  }

  private nextRequest(): UsageRequest {
    const { services, subscribers, meters, source, time } = this.options;
    const sequence = this.sequence++;
    const service = services[sequence % services.length] as ReportingService;
    // Every fourth request a single event, the others batches of 2 to 20.
    const single = sequence % 4 === 0;
    const count = single ? 1 : 2 + (sequence % 19);
    const events = Array.from({ length: count }, (_, index) => ({
      specversion: '1.0' as const,
      id: `${sequence}.${index}`,
      source,
      type: USAGE_REPORT_TYPE,
      subject: subscribers[(sequence * 7 + index * 3) % subscribers.length] as string,
      time: time.toISOString(),
      data: {
        service: service.id,
        meter: meters[(sequence + index) % meters.length] as string,
        quantity: 1 + ((sequence * 31 + index * 17) % 97),
      },
    }));
    return { sequence, service, events, single };
  }

  private async deliver(request: UsageRequest): Promise<void> {
    const body = JSON.stringify(request.single ? request.events[0] : request.events);
    for (let attempt = 1; ; attempt += 1) {
      const sentAt = Date.now();
      const answer = await this.send(request, body);
      if ('outcomes' in answer) {
        this.acknowledge(request, answer.outcomes, sentAt);
        return;
      }
      this.failures.push({ at: Date.now(), reason: answer.reason });
      if (answer.permanent) {
        this.refused.push({ sequence: request.sequence, reason: answer.reason });
        return;
      }
      if (Date.now() > this.abandonAfter) {
        this.unacknowledged.push(request.sequence);
        return;
      }
      await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)));
    }
  }

  private async send(
    request: UsageRequest,
    body: string,
  ): Promise<{ outcomes: readonly Outcome[] } | { reason: string; permanent: boolean }> {
    try {
      const response = await fetch(`${this.options.gatewayUrl}/api/metering/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${request.service.apiKey}`,
          'content-type': request.single ? SINGLE : BATCH,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299)
        return { reason: String(response.status), permanent: PERMANENT.has(response.status) };
      const parsed = JSON.parse(text) as Outcome | { results: Outcome[] };
      return { outcomes: 'results' in parsed ? parsed.results : [parsed] };
    } catch (error) {
      const name = (error as { name?: string }).name;
      return { reason: name === 'TimeoutError' ? 'timeout' : 'network', permanent: false };
    }
  }

  private acknowledge(request: UsageRequest, outcomes: readonly Outcome[], sentAt: number): void {
    if (outcomes.length !== request.events.length)
      throw new Error(`request ${request.sequence}: ${outcomes.length} results for ${request.events.length}`);
    request.events.forEach((event, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.status === 'rejected') {
        this.refused.push({
          sequence: request.sequence,
          reason: `${event.id}: ${outcome.code ?? 'rejected'}`,
        });
        return;
      }
      if (outcome.status === 'duplicate') this.duplicates += 1;
      if (this.acknowledgedIds.has(event.id)) throw new Error(`event ${event.id} acknowledged twice`);
      this.acknowledgedIds.add(event.id);
      const key = usageKey(event.subject, event.data.service, event.data.meter);
      this.totals.set(key, (this.totals.get(key) ?? 0n) + BigInt(event.data.quantity));
    });
    this.acknowledgements.push({ sentAt, ackedAt: Date.now() });
  }
}
