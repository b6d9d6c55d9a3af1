import { type FakeFirewall, type FakeServer, type FirewallRule } from '../cloud-resources.js';
import { type CloudState } from '../cloud-state.js';
import { type Reply } from '../fake-cloud-server.js';
import { isAddressOrNetwork, isRecord, isStringArray, labelsOf, objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { filtered, hetznerError, invalidInput, notFound, paginated, toAction } from './replies.js';

const PROTOCOLS_WITH_PORTS = ['tcp', 'udp'];
const PROTOCOLS = [...PROTOCOLS_WITH_PORTS, 'icmp', 'esp', 'gre'];
/** `80`, `80-85`, or `any`. */
const PORT = /^(\d{1,5})(-(\d{1,5}))?$/;

function toFirewall(firewall: FakeFirewall) {
  return {
    id: firewall.id,
    name: firewall.name,
    labels: firewall.labels,
    created: firewall.created,
    rules: firewall.rules.map((rule) => ({
      direction: rule.direction,
      protocol: rule.protocol,
      port: rule.ports,
      source_ips: rule.direction === 'in' ? rule.addresses : [],
      destination_ips: rule.direction === 'out' ? rule.addresses : [],
      description: rule.description,
    })),
    applied_to: firewall.serverIds.map((id) => ({ type: 'server', server: { id } })),
  };
}

/** A rule as Hetzner takes it, or what is wrong with it. */
function ruleFrom(raw: unknown): FirewallRule | string {
  if (!isRecord(raw)) return 'a rule must be an object';
  const { direction, protocol, port, description } = raw;
  if (direction !== 'in' && direction !== 'out') return "direction must be 'in' or 'out'";
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol))
    return `protocol must be one of ${PROTOCOLS.join(', ')}`;
  if (PROTOCOLS_WITH_PORTS.includes(protocol)) {
    if (typeof port !== 'string' || !isPortRange(port))
      return `port must be '80', '80-85' or 'any' for ${protocol}`;
  } else if (port !== undefined && port !== null) return `port is not allowed for ${protocol}`;
  const field = direction === 'in' ? 'source_ips' : 'destination_ips';
  const addresses = raw[field];
  if (!isStringArray(addresses) || addresses.length === 0 || !addresses.every(isAddressOrNetwork))
    return `${field} must list IP addresses or networks for an '${direction}' rule`;
  if (description !== undefined && description !== null && typeof description !== 'string')
    return 'description must be a string';
  return {
    direction,
    protocol,
    ports: typeof port === 'string' ? port : null,
    addresses,
    description: typeof description === 'string' ? description : null,
  };
}

function isPortRange(port: string): boolean {
  if (port === 'any') return true;
  const match = PORT.exec(port);
  const from = Number(match?.[1]);
  const to = match?.[3] === undefined ? from : Number(match[3]);
  return match !== null && from >= 1 && to <= 65_535 && from <= to;
}

/** `apply_to: [{"type": "server", "server": {"id"}}]`: the servers, which must exist. */
function serversToApplyTo(raw: unknown, state: CloudState): FakeServer[] | Reply {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return invalidInput("invalid input in field 'apply_to'");
  const servers: FakeServer[] = [];
  for (const target of raw) {
    const server = isRecord(target) && isRecord(target['server']) ? target['server'] : undefined;
    if (!isRecord(target) || target['type'] !== 'server' || typeof server?.['id'] !== 'number')
      return invalidInput(
        "invalid input in field 'apply_to': only {type: 'server', server: {id}} is supported",
      );
    const found = state.servers.get(server['id']);
    if (!found) return invalidInput(`server ${server['id']} not found`);
    servers.push(found);
  }
  return servers;
}

function createFirewall({ request, state }: RouteContext): Reply {
  const body = objectBody(request.body);
  const name = body['name'];
  if (typeof name !== 'string' || name === '' || name.length > 128)
    return invalidInput("invalid input in field 'name'");
  const labels = labelsOf(body['labels']);
  if (!labels) return invalidInput("invalid input in field 'labels'");
  const rawRules = body['rules'] ?? [];
  if (!Array.isArray(rawRules)) return invalidInput("invalid input in field 'rules'");
  const rules: FirewallRule[] = [];
  for (const [index, raw] of rawRules.entries()) {
    const rule = ruleFrom(raw);
    if (typeof rule === 'string') return invalidInput(`invalid input in field 'rules[${index}]': ${rule}`);
    rules.push(rule);
  }
  const servers = serversToApplyTo(body['apply_to'], state);
  if (!Array.isArray(servers)) return servers;
  if ([...state.firewalls.values()].some((firewall) => firewall.name === name))
    return hetznerError(409, 'uniqueness_error', 'firewall name is already used');
  const firewall = state.addFirewall({ name, labels, rules, tags: [] });
  const actions = servers.map((server) => toAction(state.applyFirewall(firewall, server)));
  return { status: 201, body: { firewall: toFirewall(firewall), actions } };
}

function deleteFirewall({ state, params }: RouteContext): Reply {
  const firewall = state.firewalls.get(Number(params[0]));
  if (!firewall) return notFound('firewall');
  if (firewall.serverIds.length > 0)
    return hetznerError(422, 'resource_in_use', 'firewall must not be in use to be deleted');
  state.deleteFirewall(firewall);
  return { status: 204 };
}

export const firewallRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/firewalls$/,
    handle: ({ request, state }) =>
      paginated('firewalls', filtered(state.firewalls.values(), request.query), request.query, toFirewall),
  },
  { method: 'POST', path: /^\/v1\/firewalls$/, handle: createFirewall },
  {
    method: 'GET',
    path: /^\/v1\/firewalls\/(\d+)$/,
    handle: ({ state, params }) => {
      const firewall = state.firewalls.get(Number(params[0]));
      return firewall ? { status: 200, body: { firewall: toFirewall(firewall) } } : notFound('firewall');
    },
  },
  { method: 'DELETE', path: /^\/v1\/firewalls\/(\d+)$/, handle: deleteFirewall },
];
