import {
  isOurs,
  labelSelectorOf,
  type ServerIdentity,
  VOLUME_LABEL,
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

/** The parts of Hetzner Cloud's `Server` schema the provisioner reads. */
interface HetznerServer {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly created: string;
  readonly labels: Record<string, string>;
  readonly public_net?: { readonly ipv4?: { readonly ip?: string } | null };
  readonly server_type?: { readonly name?: string };
  readonly volumes?: readonly number[];
}

interface HetznerFirewall {
  readonly id: number;
  readonly name: string;
  readonly labels: Record<string, string>;
}

interface HetznerVolume {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly server: number | null;
  readonly labels: Record<string, string>;
  readonly linux_device?: string;
}

interface HetznerRrset {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly labels?: Record<string, string>;
  readonly records: readonly { readonly value: string }[];
}

interface HetznerAction {
  readonly id: number;
  readonly status: 'running' | 'success' | 'error';
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** A list answer: the items under the resource's plural, and where the next page is. */
interface HetznerPage {
  readonly [key: string]: unknown;
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
    code === 'locked' || code === 'resource_in_use'
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
    const servers = await this.all<HetznerServer>('/servers', 'servers', {
      label_selector: labelSelectorOf(identity),
    });
    return servers.map(toObserved).filter((server) => isOurs(identity, server));
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
        ...(request.userData === undefined ? {} : { user_data: request.userData }),
        ...(request.volumeIds?.length ? { volumes: request.volumeIds.map(Number), automount: false } : {}),
        ...(request.firewallId === undefined
          ? {}
          : { firewalls: [{ firewall: Number(request.firewallId) }] }),
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

  async deleteServer(id: string): Promise<Submitted> {
    return this.submit('DELETE', `/servers/${encodeURIComponent(id)}`);
  }

  async powerOff(serverId: string): Promise<Submitted> {
    return this.submit('POST', `/servers/${encodeURIComponent(serverId)}/actions/poweroff`);
  }

  async powerOn(serverId: string): Promise<Submitted> {
    return this.submit('POST', `/servers/${encodeURIComponent(serverId)}/actions/poweron`);
  }

  async changeSize(serverId: string, size: string): Promise<Submitted> {
    return this.submit('POST', `/servers/${encodeURIComponent(serverId)}/actions/change_type`, {
      server_type: size,
      upgrade_disk: false,
    });
  }

  async findFirewalls(identity: ServerIdentity): Promise<ObservedFirewall[]> {
    const firewalls = await this.all<HetznerFirewall>('/firewalls', 'firewalls', {
      label_selector: labelSelectorOf(identity),
    });
    return firewalls
      .filter((firewall) => isOurs(identity, { name: firewall.name, labels: firewall.labels ?? {} }))
      .map((firewall) => ({ id: String(firewall.id), name: firewall.name }));
  }

  /** Applied to the server when it is created (`firewalls` of the create call), so it never covers another. */
  async createFirewall(request: CreateFirewallRequest): Promise<{ firewall: ObservedFirewall } & Submitted> {
    const response = await this.http.request<{ firewall: HetznerFirewall }>(
      'POST',
      '/firewalls',
      {
        name: request.identity.name,
        labels: request.identity.labels,
        rules: request.inboundTcpPorts.map((port) => ({
          direction: 'in',
          protocol: 'tcp',
          port: String(port),
          source_ips: ['0.0.0.0/0', '::/0'],
          description: `port ${port} for the app`,
        })),
      },
      hetznerError,
    );
    const firewall = response.body.firewall;
    return { firewall: { id: String(firewall.id), name: firewall.name }, actionId: null };
  }

  /** 204; `resource_in_use` (read as locked) while a server still has it. */
  async deleteFirewall(id: string): Promise<Submitted> {
    return this.submit('DELETE', `/firewalls/${encodeURIComponent(id)}`);
  }

  async findVolumes(identity: ServerIdentity): Promise<ObservedVolume[]> {
    const volumes = await this.all<HetznerVolume>('/volumes', 'volumes', {
      label_selector: labelSelectorOf(identity),
    });
    return volumes
      .filter((volume) => isOurs(identity, { name: volume.name, labels: volume.labels ?? {} }))
      .map(toObservedVolume);
  }

  async createVolume(request: CreateVolumeRequest): Promise<{ volume: ObservedVolume } & Submitted> {
    const response = await this.http.request<{ volume: HetznerVolume; action?: HetznerAction }>(
      'POST',
      '/volumes',
      {
        name: volumeNameOf(request.identity, request.volume),
        size: request.sizeGb,
        location: request.region,
        labels: { ...request.identity.labels, [VOLUME_LABEL]: request.volume },
        format: 'ext4',
        automount: false,
      },
      hetznerError,
    );
    return {
      volume: toObservedVolume(response.body.volume),
      actionId: response.body.action ? String(response.body.action.id) : null,
    };
  }

  async detachVolume(volume: ObservedVolume): Promise<Submitted> {
    return this.submit('POST', `/volumes/${encodeURIComponent(volume.id)}/actions/detach`, {});
  }

  async deleteVolume(id: string): Promise<Submitted> {
    return this.submit('DELETE', `/volumes/${encodeURIComponent(id)}`);
  }

  async findZone(domain: string): Promise<DnsZone | null> {
    const zones = await this.all<{ id: number; name: string }>('/zones', 'zones', {});
    return zoneOf(
      zones.map((zone) => ({ id: String(zone.id), name: zone.name })),
      domain,
    );
  }

  async findDnsRecords(zone: DnsZone, domain: string): Promise<ObservedDnsRecord[]> {
    const name = relativeName(zone, domain);
    const rrsets = await this.all<HetznerRrset>(`${zonePath(zone)}/rrsets`, 'rrsets', {
      name,
      type: 'A',
    });
    return rrsets
      .filter((rrset) => rrset.name === name && rrset.type === 'A')
      .map((rrset) => ({
        id: rrset.id,
        values: rrset.records.map((record) => record.value),
        labels: rrset.labels ?? {},
      }));
  }

  async createDnsRecord(
    zone: DnsZone,
    record: { readonly domain: string; readonly ipv4: string; readonly identity: ServerIdentity },
  ): Promise<{ record: ObservedDnsRecord } & Submitted> {
    const response = await this.http.request<{ rrset: HetznerRrset; action?: HetznerAction }>(
      'POST',
      `${zonePath(zone)}/rrsets`,
      {
        name: relativeName(zone, record.domain),
        type: 'A',
        ttl: DNS_TTL_SECONDS,
        records: [{ value: record.ipv4 }],
        labels: record.identity.labels,
      },
      hetznerError,
    );
    const rrset = response.body.rrset;
    return {
      record: { id: rrset.id, values: rrset.records.map((r) => r.value), labels: rrset.labels ?? {} },
      actionId: response.body.action ? String(response.body.action.id) : null,
    };
  }

  async setDnsRecord(
    zone: DnsZone,
    _record: ObservedDnsRecord,
    domain: string,
    ipv4: string,
  ): Promise<Submitted> {
    return this.submit('POST', `${rrsetPath(zone, domain)}/actions/set_records`, {
      records: [{ value: ipv4 }],
    });
  }

  async deleteDnsRecord(zone: DnsZone, _record: ObservedDnsRecord, domain: string): Promise<Submitted> {
    return this.submit('DELETE', rrsetPath(zone, domain));
  }

  /** A call answered with `{action}` (or nothing, as 204). */
  private async submit(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Submitted> {
    const response = await this.http.request<{ action?: HetznerAction }>(method, path, body, hetznerError);
    return { actionId: response.body.action ? String(response.body.action.id) : null };
  }

  /** Every page of a list (`meta.pagination.next_page`), at most 20 pages of 50. */
  private async all<Item>(path: string, key: string, filters: Record<string, string>): Promise<Item[]> {
    const found: Item[] = [];
    for (let page: number | null = 1; page !== null && page <= 20;) {
      const query = new URLSearchParams({ ...filters, page: String(page), per_page: '50' });
      const response: { body: HetznerPage } = await this.http.request<HetznerPage>(
        'GET',
        `${path}?${query}`,
        undefined,
        hetznerError,
      );
      found.push(...((response.body[key] as Item[] | undefined) ?? []));
      page = response.body.meta?.pagination?.next_page ?? null;
    }
    return found;
  }
}

const DNS_TTL_SECONDS = 300;

const zonePath = (zone: DnsZone) => `/zones/${encodeURIComponent(zone.id)}`;
const rrsetPath = (zone: DnsZone, domain: string) =>
  `${zonePath(zone)}/rrsets/${encodeURIComponent(relativeName(zone, domain))}/A`;

function toObservedVolume(volume: HetznerVolume): ObservedVolume {
  return {
    id: String(volume.id),
    name: volume.name,
    sizeGb: volume.size,
    serverId: volume.server === null || volume.server === undefined ? null : String(volume.server),
    device: volume.linux_device ?? `/dev/disk/by-id/scsi-0HC_Volume_${volume.id}`,
  };
}

function toObserved(server: HetznerServer): ObservedServer {
  return {
    id: String(server.id),
    name: server.name,
    labels: server.labels ?? {},
    status: STATUS[server.status] ?? 'other',
    providerStatus: server.status,
    createdAt: server.created,
    ipv4: server.public_net?.ipv4?.ip ?? null,
    size: server.server_type?.name ?? '',
    volumeIds: (server.volumes ?? []).map(String),
  };
}
