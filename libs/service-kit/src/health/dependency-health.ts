import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KAFKA_CLIENT } from '@onecommons/kafka';
import { type Redis } from 'ioredis';
import { type Admin, type Kafka } from 'kafkajs';
import { REDIS_CLIENT } from '../tokens.js';

const CHECK_TIMEOUT_MS = 2_000;

/** Readiness checks of the brokers a service cannot work without (Postgres is checked by terminus). */
@Injectable()
export class DependencyHealth implements OnApplicationShutdown {
  private admin: Admin | undefined;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  kafkaCheck() {
    return this.indicators
      .check('kafka')
      .attempt(async () => {
        this.admin ??= this.kafka.admin();
        await this.admin.connect();
        const cluster = await this.admin.describeCluster();
        return { brokers: cluster.brokers.length };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  redisCheck() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        const reply = await this.redis.ping();
        if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}
