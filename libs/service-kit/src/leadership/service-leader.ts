import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LeaderLease } from '@onecommons/persistence';

/** Whether this replica is the one that does once-only work now. */
export interface Leadership {
  readonly isLeader: boolean;
}

export interface ServiceLeaderOptions {
  /** Its lock needs a session of its own: DATABASE_SESSION_URL (docs/deploy/connections.md). */
  readonly sessionDatabaseUrl: string;
  readonly schema: string;
  readonly retryMs: number;
  readonly deadPeerSeconds: number;
}

/**
 * The one home of leadership among a service's replicas: one lease per service schema, held by one serving
 * replica; every once-only task (sweepers, read-backs, schedule repair) asks it before each run. A process that
 * does not serve (a replay) never competes. Steps down before shutdown, so a follower takes over at once.
 */
@Injectable()
export class ServiceLeader implements Leadership, OnModuleInit, BeforeApplicationShutdown {
  private readonly lease: LeaderLease | undefined;

  constructor(options: ServiceLeaderOptions | undefined) {
    this.lease =
      options &&
      new LeaderLease({
        url: options.sessionDatabaseUrl,
        schema: options.schema,
        name: `onecommons:leader:${options.schema}`,
        applicationName: `leader:${options.schema}`,
        retryMs: options.retryMs,
        deadPeerSeconds: options.deadPeerSeconds,
        logger: new Logger('ServiceLeader'),
      });
  }

  get isLeader(): boolean {
    return this.lease?.isLeader ?? false;
  }

  onModuleInit(): void {
    this.lease?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
  }
}
