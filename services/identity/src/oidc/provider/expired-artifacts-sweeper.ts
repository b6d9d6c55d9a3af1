import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { OidcArtifactsRepository } from './oidc-artifacts.repository.js';

const INTERVAL_MS = 10 * 60_000;

/** Expired sessions, codes and tokens are ignored on read; this removes them (on the leader, every 10 minutes). */
@Injectable()
export class ExpiredArtifactsSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task = new PeriodicTask(
    'OidcExpiredArtifacts',
    () => this.artifacts.deleteExpired(this.dataSource.manager),
    0,
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly artifacts: OidcArtifactsRepository,
    private readonly leader: ServiceLeader,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
