import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { gauge, refreshOnScrape } from '@onecommons/telemetry';
import { type IdentityConfig } from '../config.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

/**
 * When the active token signing key is due for rotation (Unix time), read from Postgres at each scrape. The next
 * token signed after it rotates the key, so a time long past means rotation is not happening.
 */
@Injectable()
export class SigningKeyMetrics implements OnModuleInit {
  private readonly logger = new Logger('SigningKeyMetrics');
  private readonly rotationDue = gauge(
    'onecommons_identity_signing_key_rotation_due_timestamp_seconds',
    'When the active token signing key is due for rotation (Unix time); the next token signed after it rotates it',
  );

  constructor(
    private readonly keys: SigningKeysRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onModuleInit(): void {
    refreshOnScrape(
      [this.rotationDue],
      () => this.refresh(),
      (error) => this.logger.warn(`signing key rotation time not read: ${String(error)}`),
    );
  }

  private async refresh(): Promise<void> {
    const created = await this.keys.activeCreatedAtSeconds();
    if (created !== null) this.rotationDue.set(created + this.config.SIGNING_KEY_ROTATION_DAYS * 86_400);
  }
}
