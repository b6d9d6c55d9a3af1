import { type FakeFirewall, type FirewallRule } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import {
  isAddressOrNetwork,
  isPositiveInteger,
  isRecord,
  isStringArray,
  objectBody,
} from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { TAG } from './catalog.js';
import { byUuid, notFound, paginated, unprocessable } from './replies.js';

const FIREWALL_NAME = /^[a-zA-Z0-9.-]{1,255}$/;
const PROTOCOLS = ['tcp', 'udp', 'icmp'];
/** `80`, `8000-9000`, `0` or `all` (every port). */
const PORTS = /^(all|\d{1,5}(-\d{1,5})?)$/;

function toFirewall(firewall: FakeFirewall, state: CloudState) {
  const rules = (direction: FirewallRule['direction'], side: 'sources' | 'destinations') =>
    firewall.rules
      .filter((rule) => rule.direction === direction)
      .map((rule) => ({
        protocol: rule.protocol,
        ports: rule.ports ?? '0',
        [side]: { addresses: rule.addresses },
      }));
  return {
    id: firewall.uuid,
    name: firewall.name,
    status: state.now() >= firewall.inPlaceAt ? 'succeeded' : 'waiting',
    created_at: firewall.created,
    inbound_rules: rules('in', 'sources'),
    outbound_rules: rules('out', 'destinations'),
    droplet_ids: firewall.serverIds,
    tags: firewall.tags,
    pending_changes: [],
  };
}

/** A rule as DigitalOcean takes it (`sources` inbound, `destinations` outbound), or what is wrong with it. */
function ruleFrom(raw: unknown, direction: FirewallRule['direction']): FirewallRule | string {
  const side = direction === 'in' ? 'sources' : 'destinations';
  if (!isRecord(raw)) return 'a rule must be an object';
  const { protocol, ports } = raw;
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol))
    return 'protocol must be tcp, udp or icmp';
  if (protocol !== 'icmp' && (typeof ports !== 'string' || !PORTS.test(ports)))
    return `ports must be a port, a range such as 8000-9000, or all, for ${protocol}`;
  const target = raw[side];
  const addresses = isRecord(target) ? target['addresses'] : undefined;
  if (!isStringArray(addresses) || addresses.length === 0 || !addresses.every(isAddressOrNetwork))
    return `${side}.addresses must list IP addresses or networks`;
  return {
    direction,
    protocol,
    ports: protocol === 'icmp' ? null : (ports as string),
    addresses,
    description: null,
  };
}

function rulesFrom(body: Readonly<Record<string, unknown>>): FirewallRule[] | string {
  const rules: FirewallRule[] = [];
  for (const [field, direction] of [
    ['inbound_rules', 'in'],
    ['outbound_rules', 'out'],
  ] as const) {
    const raw = body[field] ?? [];
    if (!Array.isArray(raw)) return `${field} must be a list`;
    for (const entry of raw) {
      const rule = ruleFrom(entry, direction);
      if (typeof rule === 'string') return `${field}: ${rule}`;
      rules.push(rule);
    }
  }
  return rules;
}

function createFirewall({ request, state }: RouteContext): Reply {
  const body = objectBody(request.body);
  const { name } = body;
  if (typeof name !== 'string' || !FIREWALL_NAME.test(name))
    return unprocessable('name must be 1 to 255 letters, digits, dots and dashes.');
  const rules = rulesFrom(body);
  if (typeof rules === 'string') return unprocessable(rules);
  const dropletIds = body['droplet_ids'] ?? [];
  if (!Array.isArray(dropletIds) || !dropletIds.every(isPositiveInteger))
    return unprocessable('droplet_ids must list droplet ids.');
  const missing = dropletIds.find((id) => !state.servers.has(id));
  if (missing !== undefined) return unprocessable(`Droplet ${missing} could not be found.`);
  const tags = body['tags'] ?? [];
  if (!isStringArray(tags) || !tags.every((tag) => TAG.test(tag)))
    return unprocessable('Tag names may only contain letters, numbers, colons, dashes and underscores.');
  const firewall = state.addFirewall({ name, labels: {}, rules, tags, serverIds: dropletIds });
  return { status: 202, body: { firewall: toFirewall(firewall, state) } };
}

export const firewallRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v2\/firewalls$/,
    handle: ({ request, state, baseUrl }) =>
      paginated('firewalls', [...state.firewalls.values()], request, baseUrl, (firewall) =>
        toFirewall(firewall, state),
      ),
  },
  { method: 'POST', path: /^\/v2\/firewalls$/, handle: createFirewall },
  {
    method: 'GET',
    path: /^\/v2\/firewalls\/([^/]+)$/,
    handle: ({ state, params }) => {
      const firewall = byUuid(state.firewalls, params[0]);
      return firewall ? { status: 200, body: { firewall: toFirewall(firewall, state) } } : notFound();
    },
  },
  {
    method: 'DELETE',
    path: /^\/v2\/firewalls\/([^/]+)$/,
    handle: ({ state, params }) => {
      const firewall = byUuid(state.firewalls, params[0]);
      if (!firewall) return notFound();
      state.deleteFirewall(firewall);
      return { status: 204 };
    },
  },
];
