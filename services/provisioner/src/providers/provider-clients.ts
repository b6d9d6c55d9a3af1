import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { providerApiCalls } from '../metrics/provisioner-metrics.js';
import {
  credentialContext,
  type ProviderAccountRecord,
} from '../provider-accounts/provider-accounts.service.js';
import { DigitalOceanApi } from './digitalocean.api.js';
import { HetznerCloudApi } from './hetzner-cloud.api.js';
import { type ProviderApi, ProviderCallError } from './provider-api.js';
import { type CallGate, ProviderHttp } from './provider-http.js';
import { budgetAfterResponse, type RateBudget, UNKNOWN_BUDGET, waitBeforeCallMs } from './rate-budget.js';
import { RateBudgetsRepository } from './rate-budgets.repository.js';

/**
 * The account's rate budget, kept in Postgres so every replica spends the same one: read before each call
 * (a spent budget holds the call back), written after each response from its rate-limit headers.
 */
class RateBudgetGate implements CallGate {
  constructor(
    private readonly dataSource: DataSource,
    private readonly budgets: RateBudgetsRepository,
    private readonly accountId: string,
    private readonly api: string,
  ) {}

  async beforeCall(): Promise<void> {
    const budget = await this.load();
    const wait = waitBeforeCallMs(budget, new Date());
    if (wait > 0)
      throw new ProviderCallError(
        'held_back',
        `${this.api}: rate budget spent, next call in ${Math.ceil(wait / 1_000)} s`,
        null,
        new Date(Date.now() + wait),
      );
  }

  async afterResponse(status: number, headers: Headers): Promise<void> {
    providerApiCalls.inc({ provider: this.api, status: String(status) });
    const budget = budgetAfterResponse(await this.load(), status, headers, new Date());
    await this.budgets.save(this.dataSource.manager, this.accountId, budget);
  }

  afterFailure(label: string): void {
    providerApiCalls.inc({ provider: this.api, status: label });
  }

  private async load(): Promise<RateBudget> {
    return (await this.budgets.budgetOf(this.dataSource.manager, this.accountId)) ?? UNKNOWN_BUDGET;
  }
}

/** Builds the API adapter of a provider account, its token unsealed only for the calls. */
@Injectable()
export class ProviderClients {
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly budgets: RateBudgetsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
  ) {
    this.key = Buffer.from(config.PROVISIONER_CREDENTIALS_KEY, 'base64');
  }

  apiFor(account: ProviderAccountRecord): ProviderApi {
    const http = new ProviderHttp({
      api: account.api,
      baseUrl: account.baseUrl,
      token: unseal(account.credentialsSealed, this.key, credentialContext(account.id)),
      timeoutMs: this.config.PROVISIONER_PROVIDER_TIMEOUT_MS,
      gate: new RateBudgetGate(this.dataSource, this.budgets, account.id, account.api),
    });
    return account.api === 'hetzner' ? new HetznerCloudApi(http) : new DigitalOceanApi(http);
  }
}
