import { isOurs, labelSelectorOf, type ServerIdentity } from '../reconcile/server-identity.js';
import {
  type CreateServerRequest,
  type ObservedServer,
  type ProviderAction,
  type ProviderApi,
  type ProviderFailure,
} from './provider-api.js';
import { type ProviderHttp } from './provider-http.js';

/** The parts of Hetzner Cloud's `Server` schema the provisioner reads. */
interface HetznerServer {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly created: string;
  readonly labels: Record<string, string>;
}

interface HetznerAction {
  readonly id: number;
  readonly status: 'running' | 'success' | 'error';
  readonly error: { readonly code: string; readonly message: string } | null;
}

interface HetznerPage {
  readonly servers: HetznerServer[];
  readonly meta?: { readonly pagination?: { readonly next_page: number | null } };
}

const STATUS: Record<string, ObservedServer['status']> = {
  initializing: 'provisioning',
  starting: 'provisioning',
  running: 'running',
  stopping: 'stopped',
  off: 'stopped',
  deleting: 'deleting',
};

/** `{"error": {"code", "message"}}`: `locked` (423) while another action runs, `uniqueness_error` on a taken name. */
function hetznerError(status: number, body: unknown): { failure?: ProviderFailure; message: string } {
  const error = (body as { error?: { code?: string; message?: string } }).error;
  const code = error?.code ?? 'unknown';
  const failure: ProviderFailure | undefined =
    code === 'locked'
      ? 'locked'
      : code === 'uniqueness_error'
        ? 'conflict'
        : code === 'rate_limit_exceeded'
          ? 'rate_limited'
          : undefined;
  return { ...(failure ? { failure } : {}), message: `${code}: ${error?.message ?? ''}`.trim() };
}

/**
 * Hetzner Cloud API v1 (https://docs.hetzner.cloud, OpenAPI `cloud.spec.json`): servers and actions.
 * The base URL includes `/v1`, e.g. `https://api.hetzner.cloud/v1`.
 */
export class HetznerCloudApi implements ProviderApi {
  readonly kind = 'hetzner' as const;

  constructor(private readonly http: ProviderHttp) {}

  async findServers(identity: ServerIdentity): Promise<ObservedServer[]> {
    const found: HetznerServer[] = [];
    for (let page: number | null = 1; page !== null && page <= 20;) {
      const query: URLSearchParams = new URLSearchParams({
        label_selector: labelSelectorOf(identity),
        page: String(page),
        per_page: '50',
      });
      const response: { body: HetznerPage } = await this.http.request<HetznerPage>(
        'GET',
        `/servers?${query}`,
        undefined,
        hetznerError,
      );
      found.push(...(response.body.servers ?? []));
      page = response.body.meta?.pagination?.next_page ?? null;
    }
    return found.map(toObserved).filter((server) => isOurs(identity, server));
  }

  async createServer(
    request: CreateServerRequest,
  ): Promise<{ server: ObservedServer; actionId: string | null }> {
    const response = await this.http.request<{ server: HetznerServer; action: HetznerAction }>(
      'POST',
      '/servers',
      {
        name: request.identity.name,
        server_type: request.size,
        image: request.image,
        location: request.region,
        labels: request.identity.labels,
        start_after_create: true,
      },
      hetznerError,
    );
    return { server: toObserved(response.body.server), actionId: String(response.body.action.id) };
  }

  async getAction(id: string): Promise<ProviderAction> {
    const response = await this.http.request<{ action: HetznerAction }>(
      'GET',
      `/actions/${encodeURIComponent(id)}`,
      undefined,
      hetznerError,
    );
    const action = response.body.action;
    return {
      id: String(action.id),
      status: action.status,
      error: action.error ? `${action.error.code}: ${action.error.message}` : null,
    };
  }

  async deleteServer(id: string): Promise<{ actionId: string | null }> {
    const response = await this.http.request<{ action?: HetznerAction }>(
      'DELETE',
      `/servers/${encodeURIComponent(id)}`,
      undefined,
      hetznerError,
    );
    return { actionId: response.body.action ? String(response.body.action.id) : null };
  }
}

function toObserved(server: HetznerServer): ObservedServer {
  return {
    id: String(server.id),
    name: server.name,
    labels: server.labels ?? {},
    status: STATUS[server.status] ?? 'other',
    providerStatus: server.status,
    createdAt: server.created,
  };
}
