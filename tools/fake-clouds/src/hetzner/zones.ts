import { type CloudState } from '../cloud-state.js';
import { type FakeRecord, type FakeZone } from '../dns-zones.js';
import { type Reply } from '../fake-cloud-server.js';
import { isIpv4, isRecord, labelsOf, objectBody } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { matchesSelector } from './label-selector.js';
import { hetznerError, invalidInput, notFound, paginated, toAction } from './replies.js';

const RRSET_TYPES = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HINFO',
  'HTTPS',
  'MX',
  'NS',
  'PTR',
  'RP',
  'SOA',
  'SRV',
  'SVCB',
  'TLSA',
  'TXT',
];
/** Lower case, relative to the zone, no trailing dot; `@` is the apex. */
const RRSET_NAME = /^(@|[a-z0-9_*]([a-z0-9_.-]*[a-z0-9_])?)$/;

/** Hetzner's view of records: one RRSet per name and type. */
interface RRSet {
  readonly name: string;
  readonly type: string;
  readonly records: readonly FakeRecord[];
}

function toZone(zone: FakeZone, state: CloudState) {
  return {
    id: zone.id,
    name: zone.name,
    mode: 'primary',
    ttl: zone.ttl,
    labels: zone.labels,
    created: zone.created,
    status: 'ok',
    registrar: 'other',
    record_count: state.dns.recordsOf(zone).length,
    protection: { delete: false },
    primary_nameservers: [],
    authoritative_nameservers: {
      assigned: ['hydrogen.ns.hetzner.com.', 'oxygen.ns.hetzner.com.', 'helium.ns.hetzner.de.'],
      delegated: [],
      delegation_last_check: null,
      delegation_status: 'unknown',
    },
  };
}

function toRRSet(rrset: RRSet, zone: FakeZone) {
  const [first] = rrset.records;
  return {
    id: `${rrset.name}/${rrset.type}`,
    name: rrset.name,
    type: rrset.type,
    ttl: first?.ttl ?? null,
    labels: first?.labels ?? {},
    protection: { change: false },
    records: rrset.records.map((record) => ({ value: record.value, comment: record.comment ?? '' })),
    zone: zone.id,
  };
}

function rrsetsOf(zone: FakeZone, state: CloudState): RRSet[] {
  const sets = new Map<string, FakeRecord[]>();
  for (const record of state.dns.recordsOf(zone)) {
    const key = `${record.name}/${record.type}`;
    sets.set(key, [...(sets.get(key) ?? []), record]);
  }
  return [...sets.values()].map((records) => ({
    name: (records[0] as FakeRecord).name,
    type: (records[0] as FakeRecord).type,
    records,
  }));
}

function findRRSet(zone: FakeZone, name: string | undefined, type: string | undefined, state: CloudState) {
  return rrsetsOf(zone, state).find((rrset) => rrset.name === name && rrset.type === type);
}

/** `records: [{value, comment?}]`: not empty, distinct values, and IPv4 addresses in an A set. */
function recordValues(raw: unknown, type: string): { value: string; comment: string | null }[] | Reply {
  if (!Array.isArray(raw) || raw.length === 0)
    return invalidInput("invalid input in field 'records': must not be empty");
  const records: { value: string; comment: string | null }[] = [];
  for (const entry of raw) {
    const value = isRecord(entry) ? entry['value'] : undefined;
    const comment = isRecord(entry) ? (entry['comment'] ?? null) : null;
    if (typeof value !== 'string' || value === '' || (comment !== null && typeof comment !== 'string'))
      return invalidInput("invalid input in field 'records': each needs a value and may have a comment");
    if (type === 'A' && !isIpv4(value))
      return invalidInput(`invalid input in field 'records': ${value} is not an IPv4 address`);
    if (records.some((record) => record.value === value))
      return invalidInput(`invalid input in field 'records': ${value} twice`);
    records.push({ value, comment });
  }
  return records;
}

function createRRSet({ request, state, params }: RouteContext): Reply {
  const zone = state.dns.zone(params[0] ?? '');
  if (!zone) return notFound('zone');
  const body = objectBody(request.body);
  const { name, type, ttl = null } = body;
  if (
    typeof name !== 'string' ||
    !RRSET_NAME.test(name) ||
    name === zone.name ||
    name.endsWith(`.${zone.name}`)
  )
    return invalidInput("invalid input in field 'name': lower case, relative to the zone, '@' for the apex");
  if (typeof type !== 'string' || !RRSET_TYPES.includes(type))
    return invalidInput("invalid input in field 'type'");
  if (ttl !== null && (!Number.isInteger(ttl) || (ttl as number) < 60 || (ttl as number) > 2_147_483_647))
    return invalidInput("invalid input in field 'ttl': 60 to 2147483647 seconds");
  const labels = labelsOf(body['labels']);
  if (!labels) return invalidInput("invalid input in field 'labels'");
  const values = recordValues(body['records'], type);
  if (!Array.isArray(values)) return values;
  if (findRRSet(zone, name, type, state))
    return hetznerError(409, 'uniqueness_error', `RRSet ${name}/${type} already exists`);
  for (const { value, comment } of values)
    state.dns.addRecord(zone, { name, type, value, comment, ttl: ttl as number | null, labels });
  const rrset = findRRSet(zone, name, type, state) as RRSet;
  const action = state.dnsAction('create_records', zone.id);
  return { status: 201, body: { rrset: toRRSet(rrset, zone), action: toAction(action) } };
}

/** The zone and RRSet a `/zones/{id_or_name}/rrsets/{name}/{type}` path names, or a 404. */
function rrsetAt({ state, params }: RouteContext): { zone: FakeZone; rrset: RRSet } | Reply {
  const zone = state.dns.zone(params[0] ?? '');
  if (!zone) return notFound('zone');
  const rrset = findRRSet(zone, params[1], params[2], state);
  return rrset ? { zone, rrset } : notFound('rrset');
}

function setRecords(context: RouteContext): Reply {
  const found = rrsetAt(context);
  if (!('rrset' in found)) return found;
  const { zone, rrset } = found;
  const values = recordValues(objectBody(context.request.body)['records'], rrset.type);
  if (!Array.isArray(values)) return values;
  const { ttl, labels } = rrset.records[0] as FakeRecord;
  for (const record of rrset.records) context.state.dns.removeRecord(record);
  for (const { value, comment } of values)
    context.state.dns.addRecord(zone, { name: rrset.name, type: rrset.type, value, comment, ttl, labels });
  return { status: 201, body: { action: toAction(context.state.dnsAction('set_records', zone.id)) } };
}

function deleteRRSet(context: RouteContext): Reply {
  const found = rrsetAt(context);
  if (!('rrset' in found)) return found;
  for (const record of found.rrset.records) context.state.dns.removeRecord(record);
  return {
    status: 201,
    body: { action: toAction(context.state.dnsAction('delete_records', found.zone.id)) },
  };
}

function listRRSets({ request, state, params }: RouteContext): Reply {
  const zone = state.dns.zone(params[0] ?? '');
  if (!zone) return notFound('zone');
  const { query } = request;
  const name = query.get('name');
  const types = query.getAll('type');
  const selector = query.get('label_selector') ?? '';
  const matching = rrsetsOf(zone, state).filter(
    (rrset) =>
      (name === null || rrset.name === name) &&
      (types.length === 0 || types.includes(rrset.type)) &&
      matchesSelector(rrset.records[0]?.labels ?? {}, selector),
  );
  return paginated('rrsets', matching, query, (rrset) => toRRSet(rrset, zone));
}

const ZONE = '([^/]+)';
const RRSET = `${ZONE}/rrsets/([^/]+)/([^/]+)`;

export const zoneRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v1\/zones$/,
    handle: ({ request, state }) => {
      const name = request.query.get('name');
      const zones = [...state.dns.zones.values()].filter((zone) => name === null || zone.name === name);
      return paginated('zones', zones, request.query, (zone) => toZone(zone, state));
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/zones/${ZONE}$`),
    handle: ({ state, params }) => {
      const zone = state.dns.zone(params[0] ?? '');
      return zone ? { status: 200, body: { zone: toZone(zone, state) } } : notFound('zone');
    },
  },
  { method: 'GET', path: new RegExp(`^/v1/zones/${ZONE}/rrsets$`), handle: listRRSets },
  { method: 'POST', path: new RegExp(`^/v1/zones/${ZONE}/rrsets$`), handle: createRRSet },
  {
    method: 'GET',
    path: new RegExp(`^/v1/zones/${RRSET}$`),
    handle: (context) => {
      const found = rrsetAt(context);
      return 'rrset' in found ? { status: 200, body: { rrset: toRRSet(found.rrset, found.zone) } } : found;
    },
  },
  { method: 'POST', path: new RegExp(`^/v1/zones/${RRSET}/actions/set_records$`), handle: setRecords },
  { method: 'DELETE', path: new RegExp(`^/v1/zones/${RRSET}$`), handle: deleteRRSet },
];
