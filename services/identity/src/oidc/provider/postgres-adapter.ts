import { type Adapter, type AdapterFactory, type AdapterPayload, errors } from 'oidc-provider';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { type DataSource } from 'typeorm';
import { type OidcClients } from '../clients/oidc-clients.service.js';
import { type OidcArtifactsRepository } from './oidc-artifacts.repository.js';

/** Models whose payload names an account: ending an account's sessions finds them by it. */
const ACCOUNT_MODELS = new Set(['Session', 'Grant', 'AccessToken', 'AuthorizationCode', 'RefreshToken']);

/**
 * The provider's storage in identity's Postgres, shared by every replica. Clients are not stored here: they
 * come from the operators' registrations (oidc_clients), and only while servable.
 */
export function postgresAdapter(
  dataSource: DataSource,
  artifacts: OidcArtifactsRepository,
  clients: OidcClients,
): AdapterFactory {
  return (model) =>
    model === 'Client' ? new RegisteredClients(clients) : new StoredArtifacts(model, dataSource, artifacts);
}

class StoredArtifacts implements Adapter {
  constructor(
    private readonly model: string,
    private readonly dataSource: DataSource,
    private readonly artifacts: OidcArtifactsRepository,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const accountId = ACCOUNT_MODELS.has(this.model) ? payload.accountId : undefined;
    await this.artifacts.upsert(this.dataSource.manager, {
      model: this.model,
      id,
      payload: payload as Record<string, unknown>,
      accountId: accountId !== undefined && UUID_PATTERN.test(accountId) ? accountId : null,
      grantId: payload.grantId ?? null,
      uid: payload.uid ?? null,
      expiresInSeconds: expiresIn ?? null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return payloadOf(await this.artifacts.find(this.dataSource.manager, this.model, id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return payloadOf(await this.artifacts.findByUid(this.dataSource.manager, this.model, uid));
  }

  /** Device flow is off: there are no user codes. */
  findByUserCode(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  /**
   * The library checks "consumed" and then consumes, two steps: two requests racing with one code could both
   * pass the check. Here only one can mark it; the other is refused as a reuse, and its grant is revoked.
   */
  async consume(id: string): Promise<void> {
    const first = await this.artifacts.consume(this.dataSource.manager, this.model, id);
    if (first) return;
    const stored = await this.artifacts.find(this.dataSource.manager, this.model, id);
    const grantId = stored?.payload['grantId'];
    if (typeof grantId === 'string') await this.revokeByGrantId(grantId);
    throw new errors.InvalidGrant('grant already used');
  }

  async destroy(id: string): Promise<void> {
    await this.artifacts.destroy(this.dataSource.manager, this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.artifacts.destroyOfGrant(this.dataSource.manager, grantId);
  }
}

function payloadOf(
  stored: { payload: Record<string, unknown>; consumedAt: Date | null } | null,
): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = stored.payload as AdapterPayload;
  return stored.consumedAt
    ? { ...payload, consumed: Math.floor(stored.consumedAt.getTime() / 1000) }
    : payload;
}

/** Read-only: clients are registered through the operators' API, never by the provider. */
class RegisteredClients implements Adapter {
  constructor(private readonly clients: OidcClients) {}

  async find(clientId: string): Promise<AdapterPayload | undefined> {
    const client = await this.clients.servable(clientId);
    if (!client) return undefined;
    return {
      client_id: client.clientId,
      client_secret: client.secret,
      client_name: client.name,
      redirect_uris: [...client.redirectUris],
      post_logout_redirect_uris: [...client.postLogoutRedirectUris],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }

  upsert(): Promise<void> {
    return refuse();
  }
  findByUid(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  findByUserCode(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  consume(): Promise<void> {
    return refuse();
  }
  destroy(): Promise<void> {
    return refuse();
  }
  revokeByGrantId(): Promise<void> {
    return Promise.resolve();
  }
}

const refuse = () => Promise.reject(new Error('OpenID clients change only through the operators API'));
