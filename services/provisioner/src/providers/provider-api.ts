import { type ServerIdentity } from '../reconcile/server-identity.js';

export const PROVIDER_APIS = ['hetzner', 'digitalocean'] as const;
export type ProviderApiKind = (typeof PROVIDER_APIS)[number];

/** A server as the provider shows it, in the provisioner's words. */
export interface ObservedServer {
  readonly id: string;
  readonly name: string;
  /** Hetzner's labels; for DigitalOcean, read back from the droplet's tags. */
  readonly labels: Readonly<Record<string, string>>;
  readonly status: 'provisioning' | 'running' | 'stopped' | 'deleting' | 'other';
  /** The provider's own word for it (`initializing`, `new`, `off`, ...). */
  readonly providerStatus: string;
  readonly createdAt: string;
  /** Its public IPv4 (DigitalOcean shows it only once the droplet is active). */
  readonly ipv4: string | null;
  readonly size: string;
  readonly volumeIds: readonly string[];
}

/** A firewall carrying the deployment's marks: Hetzner's labels, or DigitalOcean's name and droplet tags. */
export interface ObservedFirewall {
  readonly id: string;
  readonly name: string;
}

export interface ObservedVolume {
  readonly id: string;
  readonly name: string;
  readonly sizeGb: number;
  /** The server it is attached to. */
  readonly serverId: string | null;
  /** Where the volume shows up on the server it is attached to. */
  readonly device: string;
}

export interface DnsZone {
  readonly id: string;
  /** The zone's apex, e.g. `example.org`. */
  readonly name: string;
}

/** The A records at one name: Hetzner's RRSet, or DigitalOcean's domain records of that name. */
export interface ObservedDnsRecord {
  /** Hetzner: the RRSet id (`name/A`); DigitalOcean: the record id. */
  readonly id: string;
  readonly values: readonly string[];
  /** Hetzner's RRSet labels; DigitalOcean records have none (empty). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ProviderAction {
  readonly id: string;
  readonly status: 'running' | 'success' | 'error';
  readonly error: string | null;
}

export interface CreateServerRequest {
  readonly identity: ServerIdentity;
  readonly region: string;
  readonly size: string;
  readonly image: string;
  /** cloud-init user data that installs and starts the app; none for a bare server. */
  readonly userData?: string;
  readonly volumeIds?: readonly string[];
  readonly firewallId?: string;
}

export interface CreateVolumeRequest {
  readonly identity: ServerIdentity;
  /** The deployment's name for the volume (unique within the deployment). */
  readonly volume: string;
  readonly sizeGb: number;
  readonly region: string;
}

/** Inbound TCP ports open to everyone (the app's web ports); everything else inbound is closed. */
export interface CreateFirewallRequest {
  readonly identity: ServerIdentity;
  readonly inboundTcpPorts: readonly number[];
}

export interface Submitted {
  readonly actionId: string | null;
}

/** The calls the reconcile loop makes to a cloud API; one adapter per API. */
export interface ProviderApi {
  readonly kind: ProviderApiKind;
  /** The servers carrying the deployment's marks (filtered by the API, then checked again here). */
  findServers(identity: ServerIdentity): Promise<ObservedServer[]>;
  createServer(request: CreateServerRequest): Promise<{ server: ObservedServer; actionId: string | null }>;
  getAction(id: string): Promise<ProviderAction>;
  /** Starts deleting a server; its action if the API gives one. */
  deleteServer(id: string): Promise<Submitted>;

  /** Power actions; the server must be off to change its size (its disk stays as it is, so it can go back). */
  powerOff(serverId: string): Promise<Submitted>;
  powerOn(serverId: string): Promise<Submitted>;
  changeSize(serverId: string, size: string): Promise<Submitted>;

  findFirewalls(identity: ServerIdentity): Promise<ObservedFirewall[]>;
  createFirewall(request: CreateFirewallRequest): Promise<{ firewall: ObservedFirewall } & Submitted>;
  deleteFirewall(id: string): Promise<Submitted>;

  findVolumes(identity: ServerIdentity): Promise<ObservedVolume[]>;
  createVolume(request: CreateVolumeRequest): Promise<{ volume: ObservedVolume } & Submitted>;
  detachVolume(volume: ObservedVolume, region: string): Promise<Submitted>;
  deleteVolume(id: string): Promise<Submitted>;

  /** The account's DNS zone that holds `domain` (the longest that does), or null. */
  findZone(domain: string): Promise<DnsZone | null>;
  /** The A records at `domain` in its zone. */
  findDnsRecords(zone: DnsZone, domain: string): Promise<ObservedDnsRecord[]>;
  createDnsRecord(
    zone: DnsZone,
    record: { readonly domain: string; readonly ipv4: string; readonly identity: ServerIdentity },
  ): Promise<{ record: ObservedDnsRecord } & Submitted>;
  /** Points the record (one of ours) at a new address. */
  setDnsRecord(zone: DnsZone, record: ObservedDnsRecord, domain: string, ipv4: string): Promise<Submitted>;
  deleteDnsRecord(zone: DnsZone, record: ObservedDnsRecord, domain: string): Promise<Submitted>;
}

/** The name of `domain` relative to its zone, as both DNS APIs write it (`@` for the apex). */
export function relativeName(zone: DnsZone, domain: string): string {
  return domain === zone.name ? '@' : domain.slice(0, -(zone.name.length + 1));
}

/** The longest zone that holds `domain`, if any. */
export function zoneOf(zones: readonly DnsZone[], domain: string): DnsZone | null {
  const holding = zones.filter((zone) => domain === zone.name || domain.endsWith(`.${zone.name}`));
  return holding.sort((a, b) => b.name.length - a.name.length)[0] ?? null;
}

export type ProviderFailure =
  | 'rate_limited'
  | 'locked'
  | 'conflict'
  | 'not_found'
  | 'unauthorized'
  | 'rejected'
  | 'unavailable'
  | 'timeout'
  | 'held_back';

/** A provider call that did not succeed; `outcomeUnknown` when the provider may have acted anyway. */
export class ProviderCallError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly status: number | null = null,
    /** For `held_back` and `rate_limited`: when a call may be made again. */
    readonly retryAt: Date | null = null,
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }

  /** A timeout or a 5xx: the request may have been carried out. */
  get outcomeUnknown(): boolean {
    return this.failure === 'timeout' || this.failure === 'unavailable';
  }
}
