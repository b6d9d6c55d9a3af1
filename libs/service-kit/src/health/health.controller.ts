import { InfrastructureEndpoint } from '../http/infrastructure-endpoint.js';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DependencyHealth } from './dependency-health.js';
import { ShutdownState } from './shutdown-state.js';

@ApiExcludeController() // probes for the platform, not part of the public API
@InfrastructureEndpoint()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly dependencies: DependencyHealth,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** The service can do its work: Postgres, Kafka and Redis answer, and it is not shutting down. */
  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.shutdown.isDraining) throw new ServiceUnavailableException('shutting down');
    return this.health.check([
      () => this.postgres.pingCheck('postgres').withTimeout(2_000),
      () => this.dependencies.kafkaCheck(),
      () => this.dependencies.redisCheck(),
    ]);
  }
}
