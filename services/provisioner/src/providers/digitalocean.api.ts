import {
  DEPLOYMENT_LABEL,
  isOurs,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_LABEL,
  type ServerIdentity,
} from '../reconcile/server-identity.js';
import {
  type CreateServerRequest,
  type ObservedServer,
  type ProviderAction,
  type ProviderApi,
  type ProviderFailure,
} from './provider-api.js';
import { type ProviderHttp } from './provider-http.js';

/** The parts of DigitalOcean's `droplet` schema the provisioner reads. */
interface Droplet {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly created_at: string;
  readonly tags: string[];
}

interface DropletAction {
  readonly id: number;
  readonly status: 'in-progress' | 'completed' | 'errored';
  readonly type: string;
}

interface DropletPage {
  readonly droplets: Droplet[];
  readonly links?: { readonly pages?: { readonly next?: string } };
}

const STATUS: Record<string, ObservedServer['status']> = {
  new: 'provisioning',
  active: 'running',
  off: 'stopped',
  archive: 'deleting',
};

const ACTION_STATUS: Record<DropletAction['status'], ProviderAction['status']> = {
  'in-progress': 'running',
  completed: 'success',
  errored: 'error',
};

/** `{"id", "message"}`; a droplet with a pending event refuses more with 422. */
function digitalOceanError(status: number, body: unknown): { failure?: ProviderFailure; message: string } {
  const error = body as { id?: string; message?: string };
  const locked = status === 422 && /pending event|locked/i.test(error.message ?? '');
  return {
    ...(locked ? { failure: 'locked' as const } : {}),
    message: `${error.id ?? 'unknown'}: ${error.message ?? ''}`.trim(),
  };
}

/** DigitalOcean has tags, not labels: the deployment's labels are read back from the tags it was given. */
export function labelsFromTags(tags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags) {
    if (tag === MANAGED_BY) labels[MANAGED_BY_LABEL] = MANAGED_BY;
    else if (tag.startsWith('onecommons-deployment:'))
      labels[DEPLOYMENT_LABEL] = tag.slice('onecommons-deployment:'.length);
    else if (tag.startsWith('onecommons-service:'))
      labels[SERVICE_LABEL] = tag.slice('onecommons-service:'.length);
  }
  return labels;
}

/**
 * DigitalOcean API v2 (https://docs.digitalocean.com/reference/api, OpenAPI `DigitalOcean-public.v2.yaml`):
 * droplets and actions. The base URL has no version, e.g. `https://api.digitalocean.com`.
 */
export class DigitalOceanApi implements ProviderApi {
  readonly kind = 'digitalocean' as const;

  constructor(private readonly http: ProviderHttp) {}

  async findServers(identity: ServerIdentity): Promise<ObservedServer[]> {
    const found: Droplet[] = [];
    const selector = identity.tags[0] ?? '';
    for (let page = 1; page <= 20; page += 1) {
      const query = new URLSearchParams({ tag_name: selector, page: String(page), per_page: '200' });
      const response = await this.http.request<DropletPage>(
        'GET',
        `/v2/droplets?${query}`,
        undefined,
        digitalOceanError,
      );
      found.push(...(response.body.droplets ?? []));
      if (!response.body.links?.pages?.next) break;
    }
    return found.map(toObserved).filter((server) => isOurs(identity, server));
  }

  async createServer(
    request: CreateServerRequest,
  ): Promise<{ server: ObservedServer; actionId: string | null }> {
    const response = await this.http.request<{
      droplet: Droplet;
      links?: { actions?: { id: number; rel: string }[] };
    }>(
      'POST',
      '/v2/droplets',
      {
        name: request.identity.name,
        region: request.region,
        size: request.size,
        image: request.image,
        tags: request.identity.tags,
      },
      digitalOceanError,
    );
    const action =
      response.body.links?.actions?.find((link) => link.rel === 'create') ??
      response.body.links?.actions?.[0];
    return { server: toObserved(response.body.droplet), actionId: action ? String(action.id) : null };
  }

  async getAction(id: string): Promise<ProviderAction> {
    const response = await this.http.request<{ action: DropletAction }>(
      'GET',
      `/v2/actions/${encodeURIComponent(id)}`,
      undefined,
      digitalOceanError,
    );
    const action = response.body.action;
    const status = ACTION_STATUS[action.status] ?? 'running';
    return {
      id: String(action.id),
      status,
      error: status === 'error' ? `${action.type} action errored` : null,
    };
  }

  /** 204 and no action: the droplet is gone once it no longer shows up. */
  async deleteServer(id: string): Promise<{ actionId: string | null }> {
    await this.http.request('DELETE', `/v2/droplets/${encodeURIComponent(id)}`, undefined, digitalOceanError);
    return { actionId: null };
  }
}

function toObserved(droplet: Droplet): ObservedServer {
  return {
    id: String(droplet.id),
    name: droplet.name,
    labels: labelsFromTags(droplet.tags ?? []),
    status: STATUS[droplet.status] ?? 'other',
    providerStatus: droplet.status,
    createdAt: droplet.created_at,
  };
}
