import { type ServiceName } from '@onecommons/contracts';

/** What one fault did, as ./dev's fault controller reports it (tools/devstack/src/chaos/fault-controller.ts). */
export interface FaultOutcome {
  readonly fault: string;
  readonly injectedAt: string;
  /** ms from the injection until the component hit answers again. */
  readonly restoredMs: number;
  /** ms from the injection until every service reports ready again. */
  readonly readyMs: number;
  readonly detail: Readonly<Record<string, unknown>>;
}

export const CHAOS_FAULTS_VARIABLE = 'ONECOMMONS_CHAOS_FAULTS';

/**
 * The faults `./dev test chaos` injects into its stack on the suite's request. The killing and restarting is
 * ./dev's (its process table, pg_ctl), so the suite hits exactly what ./dev runs; each call answers once what
 * was hit is back and every service is ready.
 */
export class ChaosFaults {
  private constructor(private readonly url: string) {}

  static fromEnvironment(): ChaosFaults {
    const url = process.env[CHAOS_FAULTS_VARIABLE];
    if (!url)
      throw new Error(`${CHAOS_FAULTS_VARIABLE} is not set: the chaos suite runs under ./dev test chaos`);
    return new ChaosFaults(url);
  }

  /** SIGKILL one replica of the service (the first unless named), then start it again. */
  killService(service: ServiceName, replica = 0): Promise<FaultOutcome> {
    return this.inject(`/faults/services/${service}/kill?replica=${replica}`);
  }

  /** SIGKILL one Kafka node (the first unless named), keep it down for `downMs`, start it again on its log. */
  restartKafka({ node = 0, downMs = 0 }: { node?: number; downMs?: number } = {}): Promise<FaultOutcome> {
    return this.inject(`/faults/kafka/restart?node=${node}&downMs=${downMs}`);
  }

  /** `pg_ctl stop -m immediate` on the stack's own PostgreSQL, down for `downMs`, then start (crash recovery). */
  restartPostgres(downMs = 3_000): Promise<FaultOutcome> {
    return this.inject(`/faults/postgres/restart?downMs=${downMs}`);
  }

  /** FLUSHALL on the stack's own Redis. */
  flushRedis(): Promise<FaultOutcome> {
    return this.inject('/faults/redis/flush');
  }

  private async inject(pathname: string): Promise<FaultOutcome> {
    const response = await fetch(`${this.url}${pathname}`, {
      method: 'POST',
      signal: AbortSignal.timeout(300_000),
    });
    const body = (await response.json()) as FaultOutcome | { error: string };
    if (!response.ok || 'error' in body)
      throw new Error(`fault ${pathname} failed: ${'error' in body ? body.error : response.status}`);
    return body;
  }
}
