import { type CloudState } from '../cloud-state.js';
import { type FakeRecord, type FakeZone, qualifiedName, relativeName } from '../dns-zones.js';
import { type Reply } from '../fake-cloud-server.js';
import { isIpv4, objectBody, type JsonObject } from '../json-fields.js';
import { type Route, type RouteContext } from '../routes.js';
import { notFound, paginated, unprocessable } from './replies.js';

const RECORD_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'SOA', 'SRV', 'TXT'];
/** DigitalOcean's default TTL for domains and records. */
const DEFAULT_TTL = 1_800;

function toDomain(zone: FakeZone, state: CloudState) {
  const lines = state.dns
    .recordsOf(zone)
    .map(
      (record) =>
        `${qualifiedName(record.name, zone.name)}. ${record.ttl ?? DEFAULT_TTL} IN ${record.type} ${record.value}`,
    );
  return {
    name: zone.name,
    ttl: DEFAULT_TTL,
    zone_file: [`$ORIGIN ${zone.name}.`, `$TTL ${DEFAULT_TTL}`, ...lines, ''].join('\n'),
  };
}

function toDomainRecord(record: FakeRecord) {
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    data: record.value,
    priority: null,
    port: null,
    ttl: record.ttl ?? DEFAULT_TTL,
    weight: null,
    flags: null,
    tag: null,
  };
}

/** The record's fields from a create (all required but ttl) or an update (all optional), or what is wrong. */
function recordFields(
  body: JsonObject,
  zone: FakeZone,
  current?: FakeRecord,
): { type: string; name: string; data: string; ttl: number | null } | Reply {
  const {
    type = current?.type,
    name = current?.name,
    data = current?.value,
    ttl = current?.ttl ?? null,
  } = body;
  if (typeof type !== 'string' || !RECORD_TYPES.includes(type))
    return unprocessable('type is not a supported record type.');
  if (current && type !== current.type) return unprocessable('The type of a record cannot be changed.');
  if (typeof name !== 'string' || name === '') return unprocessable('name is required.');
  if (typeof data !== 'string' || data === '') return unprocessable('data is required.');
  if (type === 'A' && !isIpv4(data)) return unprocessable('data must be an IPv4 address for an A record.');
  if (ttl !== null && (!Number.isInteger(ttl) || (ttl as number) < 30))
    return unprocessable('ttl must be at least 30.');
  // DigitalOcean takes the name relative to the domain, and also fully qualified.
  const relative = relativeName(name.toLowerCase().replace(/\.$/, ''), zone.name) ?? name.toLowerCase();
  return { type, name: relative, data, ttl: ttl as number | null };
}

function createRecord({ request, state, params }: RouteContext): Reply {
  const zone = state.dns.zone(params[0] ?? '');
  if (!zone) return notFound();
  const fields = recordFields(objectBody(request.body), zone);
  if (!('data' in fields)) return fields;
  const record = state.dns.addRecord(zone, {
    name: fields.name,
    type: fields.type,
    value: fields.data,
    ttl: fields.ttl,
    comment: null,
    labels: {},
  });
  return { status: 201, body: { domain_record: toDomainRecord(record) } };
}

/** The domain and record a `/v2/domains/{domain}/records/{id}` path names, or a 404. */
function recordAt({ state, params }: RouteContext): { zone: FakeZone; record: FakeRecord } | Reply {
  const zone = state.dns.zone(params[0] ?? '');
  const record = state.dns.records.get(Number(params[1]));
  return zone && record && record.zoneId === zone.id ? { zone, record } : notFound();
}

function updateRecord(context: RouteContext): Reply {
  const found = recordAt(context);
  if (!('record' in found)) return found;
  const fields = recordFields(objectBody(context.request.body), found.zone, found.record);
  if (!('data' in fields)) return fields;
  Object.assign(found.record, { name: fields.name, value: fields.data, ttl: fields.ttl });
  return { status: 200, body: { domain_record: toDomainRecord(found.record) } };
}

function listRecords({ request, state, params, baseUrl }: RouteContext): Reply {
  const zone = state.dns.zone(params[0] ?? '');
  if (!zone) return notFound();
  const type = request.query.get('type');
  // `name` is fully qualified here (`www.example.org`, the apex as `example.org`).
  const name = request.query.get('name');
  const matching = state.dns
    .recordsOf(zone)
    .filter(
      (record) =>
        (type === null || record.type === type) &&
        (name === null || qualifiedName(record.name, zone.name) === name),
    );
  return paginated('domain_records', matching, request, baseUrl, toDomainRecord);
}

const DOMAIN = '([^/]+)';
const RECORD = `${DOMAIN}/records/(\\d+)`;

export const domainRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/v2\/domains$/,
    handle: ({ request, state, baseUrl }) =>
      paginated('domains', [...state.dns.zones.values()], request, baseUrl, (zone) => toDomain(zone, state)),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v2/domains/${DOMAIN}$`),
    handle: ({ state, params }) => {
      const zone = state.dns.zone(params[0] ?? '');
      return zone ? { status: 200, body: { domain: toDomain(zone, state) } } : notFound();
    },
  },
  { method: 'GET', path: new RegExp(`^/v2/domains/${DOMAIN}/records$`), handle: listRecords },
  { method: 'POST', path: new RegExp(`^/v2/domains/${DOMAIN}/records$`), handle: createRecord },
  {
    method: 'GET',
    path: new RegExp(`^/v2/domains/${RECORD}$`),
    handle: (context) => {
      const found = recordAt(context);
      return 'record' in found
        ? { status: 200, body: { domain_record: toDomainRecord(found.record) } }
        : found;
    },
  },
  { method: 'PATCH', path: new RegExp(`^/v2/domains/${RECORD}$`), handle: updateRecord },
  { method: 'PUT', path: new RegExp(`^/v2/domains/${RECORD}$`), handle: updateRecord },
  {
    method: 'DELETE',
    path: new RegExp(`^/v2/domains/${RECORD}$`),
    handle: (context) => {
      const found = recordAt(context);
      if (!('record' in found)) return found;
      context.state.dns.removeRecord(found.record);
      return { status: 204 };
    },
  },
];
