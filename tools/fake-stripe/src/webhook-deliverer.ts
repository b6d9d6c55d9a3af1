import { type EventObject } from './stripe-objects.js';
import { stripeSignatureHeader } from './webhook-signature.js';

export interface WebhookEndpoint {
  readonly url: string;
  readonly secret: string;
  /** A Connect endpoint: it receives the events of connected accounts (and only those), as at Stripe. */
  readonly connect?: boolean;
}

/** Whether an endpoint receives an event: Connect endpoints those of connected accounts, the others the rest. */
export function endpointTakes(endpoint: WebhookEndpoint, connectedAccount: string | undefined): boolean {
  return (endpoint.connect ?? false) === (connectedAccount !== undefined);
}

export interface DeliveryAttempt {
  readonly eventId: string;
  readonly eventType: string;
  readonly url: string;
  readonly attempt: number;
  /** The HTTP status, or undefined when the request itself failed. */
  readonly status: number | undefined;
  readonly error?: string;
  readonly at: string;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
};

/**
 * Delivers events to webhook endpoints like Stripe: a JSON POST signed with `Stripe-Signature`, success on
 * any 2xx, retried with exponential backoff otherwise. Deliveries are sent one at a time per endpoint,
 * first attempts in event order; a retry does not hold up later events (Stripe does not promise order).
 */
export class WebhookDeliverer {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private held: { event: EventObject; onDelivered: () => void }[] | undefined;

  constructor(
    private readonly endpoints: () => readonly WebhookEndpoint[],
    private readonly policy: RetryPolicy,
    private readonly nowSeconds: () => number,
  ) {}

  /** Queues the event for every endpoint; `onDelivered` runs once an endpoint answered 2xx. */
  deliver(event: EventObject, onDelivered: () => void = () => undefined): void {
    if (this.held) {
      this.held.push({ event, onDelivered });
      return;
    }
    for (const endpoint of this.endpoints())
      if (endpointTakes(endpoint, event.account)) this.enqueue(endpoint, event, 1, onDelivered);
  }

  /** Holds new deliveries back (as an endpoint's outage would) until `release`. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { event, onDelivered } of held) this.deliver(event, onDelivered);
  }

  /** Resolves once every queued first attempt and due retry has been sent. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.idle();
  }

  private enqueue(
    endpoint: WebhookEndpoint,
    event: EventObject,
    attempt: number,
    onDelivered: () => void,
  ): void {
    if (this.closed) return;
    const previous = this.queues.get(endpoint.url) ?? Promise.resolve();
    const next = previous.then(() => this.send(endpoint, event, attempt, onDelivered));
    this.queues.set(endpoint.url, next);
    void next.then(() => {
      if (this.queues.get(endpoint.url) === next) this.queues.delete(endpoint.url);
    });
  }

  private async send(
    endpoint: WebhookEndpoint,
    event: EventObject,
    attempt: number,
    onDelivered: () => void,
  ) {
    if (this.closed) return;
    const payload = JSON.stringify(event, null, 2);
    const record = (status: number | undefined, error?: string) =>
      this.attempts.push({
        eventId: event.id,
        eventType: event.type,
        url: endpoint.url,
        attempt,
        status,
        ...(error ? { error } : {}),
        at: new Date().toISOString(),
      });
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': stripeSignatureHeader(payload, endpoint.secret, this.nowSeconds()),
        },
        body: payload,
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      await response.arrayBuffer();
      record(response.status);
      if (response.ok) {
        onDelivered();
        return;
      }
    } catch (error) {
      record(undefined, error instanceof Error ? error.message : String(error));
    }
    this.scheduleRetry(endpoint, event, attempt, onDelivered);
  }

  private scheduleRetry(
    endpoint: WebhookEndpoint,
    event: EventObject,
    attempt: number,
    onDelivered: () => void,
  ) {
    if (this.closed || attempt >= this.policy.maxAttempts) return;
    const delay = Math.min(this.policy.firstDelayMs * 2 ** (attempt - 1), this.policy.maxDelayMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(endpoint, event, attempt + 1, onDelivered);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
