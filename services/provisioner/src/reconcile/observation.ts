import { type DeploymentRecord } from '../deployments/deployment-record.js';
import {
  type DnsZone,
  type ObservedDnsRecord,
  type ObservedFirewall,
  type ObservedServer,
  type ObservedVolume,
  type ProviderApi,
} from '../providers/provider-api.js';
import { DEPLOYMENT_LABEL, type ServerIdentity } from './server-identity.js';

export interface ObservedDns {
  /** Null when the provider account has no DNS zone that holds the domain. */
  readonly zone: DnsZone | null;
  /** A records at the domain this deployment made. */
  readonly ours: readonly ObservedDnsRecord[];
  /** A records at the domain someone else made: never changed, and they block the deployment. */
  readonly foreign: readonly ObservedDnsRecord[];
}

/** Everything of a deployment the provider shows, found by its marks. */
export interface Observed {
  /** Oldest first. */
  readonly servers: readonly ObservedServer[];
  readonly firewalls: readonly ObservedFirewall[];
  readonly volumes: readonly ObservedVolume[];
  /** Null for a bare server (no app, so no domain to serve). */
  readonly dns: ObservedDns | null;
}

/**
 * A record is ours when it carries our labels (Hetzner), was made by one of our calls, or points only at our
 * servers (a DigitalOcean record made by a call whose answer was lost).
 */
export function isOurRecord(
  record: ObservedDnsRecord,
  deploymentId: string,
  createdIds: readonly string[],
  serverAddresses: readonly string[],
): boolean {
  return (
    record.labels[DEPLOYMENT_LABEL] === deploymentId.toLowerCase() ||
    createdIds.includes(record.id) ||
    (record.values.length > 0 && record.values.every((value) => serverAddresses.includes(value)))
  );
}

export async function observe(
  api: ProviderApi,
  identity: ServerIdentity,
  deployment: DeploymentRecord,
  createdRecordIds: () => Promise<string[]>,
): Promise<Observed> {
  const servers = (await api.findServers(identity)).sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id),
  );
  if (!deployment.app) return { servers, firewalls: [], volumes: [], dns: null };
  const firewalls = await api.findFirewalls(identity);
  const volumes = await api.findVolumes(identity);
  const zone = await api.findZone(deployment.domain);
  if (!zone) return { servers, firewalls, volumes, dns: { zone, ours: [], foreign: [] } };
  const records = await api.findDnsRecords(zone, deployment.domain);
  const created = records.length > 0 ? await createdRecordIds() : [];
  const addresses = servers.flatMap((server) => (server.ipv4 ? [server.ipv4] : []));
  const ours = records.filter((record) => isOurRecord(record, deployment.id, created, addresses));
  return {
    servers,
    firewalls,
    volumes,
    dns: { zone, ours, foreign: records.filter((record) => !ours.includes(record)) },
  };
}
