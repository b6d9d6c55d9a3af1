import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisOptionsFrom } from './redis-options.js';
import { SERVICE_CONFIG } from './tokens.js';
import { type ServiceConfig } from './service-config.js';

/** Owns the service's command connection to Redis and closes it last. */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.client = new Redis({
      ...redisOptionsFrom(config.REDIS_URL),
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.client.on('error', () => undefined); // surfaced by the readiness check, not as crashes
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
