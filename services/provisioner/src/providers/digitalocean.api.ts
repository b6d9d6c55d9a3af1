import {
  DEPLOYMENT_LABEL,
  GENERATION_LABEL,
  GENERATION_TAG_PREFIX,
  isOurs,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_LABEL,
  type ServerIdentity,
  volumeNameOf,
} from '../reconcile/server-identity.js';
import {
  type CreateFirewallRequest,
  type CreateServerRequest,
  type CreateVolumeRequest,
  type DnsZone,
  type ObservedDnsRecord,
  type ObservedFirewall,
  type ObservedServer,
  type ObservedVolume,
  type ProviderAction,
  type ProviderApi,
  type ProviderFailure,
  relativeName,
  type Submitted,
  zoneOf,
} from './provider-api.js';
import { type ProviderHttp } from './provider-http.js';

/** The parts of DigitalOcean's `droplet` schema the provisioner reads. */
interface Droplet {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly created_at: string;
  readonly tags: string[];
  readonly size_slug?: string;
  readonly volume_ids?: readonly string[];
  readonly networks?: { readonly v4?: readonly { readonly ip_address: string; readonly type: string }[] };
}

interface DoFirewall {
  readonly id: string;
  readonly name: string;
  readonly tags?: readonly string[];
}

interface DoVolume {
  readonly id: string;
  readonly name: string;
  readonly size_gigabytes: number;
  readonly droplet_ids?: readonly number[];
  readonly tags?: readonly string[];
}

interface DomainRecord {
  readonly id: number;
  readonly type: string;
  readonly name: string;
  readonly data: string;
}

interface DropletAction {
  readonly id: number;
  readonly status: 'in-progress' | 'completed' | 'errored';
  readonly type: string;
}

/** A list answer: the items under the resource's plural, and whether there is a next page. */
interface DoPage {
  readonly [key: string]: unknown;
  readonly links?: { readonly pages?: { readonly next?: string } };
}

const EVERYWHERE = { addresses: ['0.0.0.0/0', '::/0'] };
const DNS_TTL_SECONDS = 300;

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
    else if (tag.startsWith(GENERATION_TAG_PREFIX))
      labels[GENERATION_LABEL] = tag.slice(GENERATION_TAG_PREFIX.length);
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
    const droplets = await this.all<Droplet>('/v2/droplets', 'droplets', {
      tag_name: identity.tags[0] ?? '',
    });
    return droplets.map(toObserved).filter((server) => isOurs(identity, server));
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
        ...(request.userData === undefined ? {} : { user_data: request.userData }),
        ...(request.volumeIds?.length ? { volumes: request.volumeIds } : {}),
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
  async deleteServer(id: string): Promise<Submitted> {
    return this.noAction('DELETE', `/v2/droplets/${encodeURIComponent(id)}`);
  }

  async powerOff(serverId: string): Promise<Submitted> {
    return this.dropletAction(serverId, { type: 'power_off' });
  }

  async powerOn(serverId: string): Promise<Submitted> {
    return this.dropletAction(serverId, { type: 'power_on' });
  }

  async changeSize(serverId: string, size: string): Promise<Submitted> {
    return this.dropletAction(serverId, { type: 'resize', size, disk: false });
  }

  /** DigitalOcean's firewalls have no labels: ours has the server's name and covers the deployment's tag. */
  async findFirewalls(identity: ServerIdentity): Promise<ObservedFirewall[]> {
    const firewalls = await this.all<DoFirewall>('/v2/firewalls', 'firewalls', {});
    return firewalls
      .filter(
        (firewall) => firewall.name === identity.name && firewall.tags?.includes(identity.tags[0] ?? ''),
      )
      .map((firewall) => ({ id: firewall.id, name: firewall.name }));
  }

  /** Covers the droplets tagged with the deployment, so its servers are covered from their creation. */
  async createFirewall(request: CreateFirewallRequest): Promise<{ firewall: ObservedFirewall } & Submitted> {
    const response = await this.http.request<{ firewall: DoFirewall }>(
      'POST',
      '/v2/firewalls',
      {
        name: request.identity.name,
        inbound_rules: request.inboundTcpPorts.map((port) => ({
          protocol: 'tcp',
          ports: String(port),
          sources: EVERYWHERE,
        })),
        // Without outbound rules a DigitalOcean firewall blocks all outbound traffic (and the app's install).
        outbound_rules: [
          { protocol: 'tcp', ports: 'all', destinations: EVERYWHERE },
          { protocol: 'udp', ports: 'all', destinations: EVERYWHERE },
          { protocol: 'icmp', destinations: EVERYWHERE },
        ],
        tags: [request.identity.tags[0]],
      },
      digitalOceanError,
    );
    return { firewall: { id: response.body.firewall.id, name: response.body.firewall.name }, actionId: null };
  }

  async deleteFirewall(id: string): Promise<Submitted> {
    return this.noAction('DELETE', `/v2/firewalls/${encodeURIComponent(id)}`);
  }

  async findVolumes(identity: ServerIdentity): Promise<ObservedVolume[]> {
    const volumes = await this.all<DoVolume>('/v2/volumes', 'volumes', {});
    return volumes
      .filter((volume) => isOurs(identity, { name: volume.name, labels: labelsFromTags(volume.tags ?? []) }))
      .map(toObservedVolume);
  }

  async createVolume(request: CreateVolumeRequest): Promise<{ volume: ObservedVolume } & Submitted> {
    const response = await this.http.request<{ volume: DoVolume }>(
      'POST',
      '/v2/volumes',
      {
        name: volumeNameOf(request.identity, request.volume),
        size_gigabytes: request.sizeGb,
        region: request.region,
        filesystem_type: 'ext4',
        tags: request.identity.tags,
      },
      digitalOceanError,
    );
    return { volume: toObservedVolume(response.body.volume), actionId: null };
  }

  async detachVolume(volume: ObservedVolume, region: string): Promise<Submitted> {
    const response = await this.http.request<{ action: DropletAction }>(
      'POST',
      `/v2/volumes/${encodeURIComponent(volume.id)}/actions`,
      { type: 'detach', droplet_id: Number(volume.serverId), region },
      digitalOceanError,
    );
    return { actionId: String(response.body.action.id) };
  }

  async deleteVolume(id: string): Promise<Submitted> {
    return this.noAction('DELETE', `/v2/volumes/${encodeURIComponent(id)}`);
  }

  /** DigitalOcean's domains are the zones; a domain's name is its id. */
  async findZone(domain: string): Promise<DnsZone | null> {
    const domains = await this.all<{ name: string }>('/v2/domains', 'domains', {});
    return zoneOf(
      domains.map((zone) => ({ id: zone.name, name: zone.name })),
      domain,
    );
  }

  /** One A record per address: each is its own record. */
  async findDnsRecords(zone: DnsZone, domain: string): Promise<ObservedDnsRecord[]> {
    const name = relativeName(zone, domain);
    const records = await this.all<DomainRecord>(`${domainPath(zone)}/records`, 'domain_records', {
      type: 'A',
      name: domain,
    });
    return records
      .filter((record) => record.type === 'A' && record.name === name)
      .map((record) => ({ id: String(record.id), values: [record.data], labels: {} }));
  }

  async createDnsRecord(
    zone: DnsZone,
    record: { readonly domain: string; readonly ipv4: string; readonly identity: ServerIdentity },
  ): Promise<{ record: ObservedDnsRecord } & Submitted> {
    const response = await this.http.request<{ domain_record: DomainRecord }>(
      'POST',
      `${domainPath(zone)}/records`,
      { type: 'A', name: relativeName(zone, record.domain), data: record.ipv4, ttl: DNS_TTL_SECONDS },
      digitalOceanError,
    );
    const created = response.body.domain_record;
    return { record: { id: String(created.id), values: [created.data], labels: {} }, actionId: null };
  }

  async setDnsRecord(
    zone: DnsZone,
    record: ObservedDnsRecord,
    _domain: string,
    ipv4: string,
  ): Promise<Submitted> {
    return this.noAction('PATCH', `${domainPath(zone)}/records/${encodeURIComponent(record.id)}`, {
      data: ipv4,
    });
  }

  async deleteDnsRecord(zone: DnsZone, record: ObservedDnsRecord): Promise<Submitted> {
    return this.noAction('DELETE', `${domainPath(zone)}/records/${encodeURIComponent(record.id)}`);
  }

  private async dropletAction(serverId: string, body: Record<string, unknown>): Promise<Submitted> {
    const response = await this.http.request<{ action: DropletAction }>(
      'POST',
      `/v2/droplets/${encodeURIComponent(serverId)}/actions`,
      body,
      digitalOceanError,
    );
    return { actionId: String(response.body.action.id) };
  }

  private async noAction(method: 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Submitted> {
    await this.http.request(method, path, body, digitalOceanError);
    return { actionId: null };
  }

  /** Every page of a list (while `links.pages.next`), at most 20 pages of 200. */
  private async all<Item>(path: string, key: string, filters: Record<string, string>): Promise<Item[]> {
    const found: Item[] = [];
    for (let page = 1; page <= 20; page += 1) {
      const query = new URLSearchParams({ ...filters, page: String(page), per_page: '200' });
      const response = await this.http.request<DoPage>(
        'GET',
        `${path}?${query}`,
        undefined,
        digitalOceanError,
      );
      found.push(...((response.body[key] as Item[] | undefined) ?? []));
      if (!response.body.links?.pages?.next) break;
    }
    return found;
  }
}

const domainPath = (zone: DnsZone) => `/v2/domains/${encodeURIComponent(zone.id)}`;

function toObservedVolume(volume: DoVolume): ObservedVolume {
  const serverId = volume.droplet_ids?.[0];
  return {
    id: volume.id,
    name: volume.name,
    sizeGb: volume.size_gigabytes,
    serverId: serverId === undefined ? null : String(serverId),
    device: `/dev/disk/by-id/scsi-0DO_Volume_${volume.name}`,
  };
}

function toObserved(droplet: Droplet): ObservedServer {
  return {
    id: String(droplet.id),
    name: droplet.name,
    labels: labelsFromTags(droplet.tags ?? []),
    status: STATUS[droplet.status] ?? 'other',
    providerStatus: droplet.status,
    createdAt: droplet.created_at,
    ipv4: droplet.networks?.v4?.find((network) => network.type === 'public')?.ip_address ?? null,
    size: droplet.size_slug ?? '',
    volumeIds: [...(droplet.volume_ids ?? [])],
  };
}
