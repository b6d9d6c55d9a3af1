/** DNS zones the account owner made beforehand, and their records: one record per value, as DigitalOcean keeps them. */
export interface FakeZone {
  readonly id: number;
  /** Lower case, no trailing dot: `example.org`. */
  readonly name: string;
  /** The default TTL of records that set none. */
  readonly ttl: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly created: string;
}

export interface FakeRecord {
  readonly id: number;
  readonly zoneId: number;
  /** Relative to the zone; `@` is the apex. */
  name: string;
  readonly type: string;
  value: string;
  /** null: the zone's default. */
  ttl: number | null;
  comment: string | null;
  labels: Readonly<Record<string, string>>;
}

export type NewRecord = Omit<FakeRecord, 'id' | 'zoneId'>;

export const DEFAULT_ZONE_TTL = 3_600;

export class DnsZones {
  readonly zones = new Map<number, FakeZone>();
  readonly records = new Map<number, FakeRecord>();

  constructor(
    names: readonly string[],
    private readonly id: () => number,
    timestamp: () => string,
  ) {
    for (const name of names) {
      const zone = {
        id: id(),
        name: normalName(name),
        ttl: DEFAULT_ZONE_TTL,
        labels: {},
        created: timestamp(),
      };
      this.zones.set(zone.id, zone);
    }
  }

  /** By id (digits) or by name, as Hetzner's `{id_or_name}` path parameter. */
  zone(idOrName: string): FakeZone | undefined {
    if (/^\d+$/.test(idOrName)) return this.zones.get(Number(idOrName));
    const name = normalName(idOrName);
    return [...this.zones.values()].find((zone) => zone.name === name);
  }

  recordsOf(zone: FakeZone): FakeRecord[] {
    return [...this.records.values()].filter((record) => record.zoneId === zone.id);
  }

  addRecord(zone: FakeZone, spec: NewRecord): FakeRecord {
    const record: FakeRecord = { ...spec, id: this.id(), zoneId: zone.id };
    this.records.set(record.id, record);
    return record;
  }

  removeRecord(record: FakeRecord): void {
    this.records.delete(record.id);
  }

  /** The values of the A records for a fully qualified host name, in whichever zone it falls. */
  ipv4sFor(host: string): string[] {
    const wanted = normalName(host);
    return [...this.zones.values()].flatMap((zone) => {
      const name = relativeName(wanted, zone.name);
      if (name === undefined) return [];
      return this.recordsOf(zone)
        .filter((record) => record.type === 'A' && record.name === name)
        .map((record) => record.value);
    });
  }
}

/** `host` relative to `zone`: `@` for the apex, undefined when the host is outside the zone. */
export function relativeName(host: string, zone: string): string | undefined {
  if (host === zone) return '@';
  return host.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
}

/** The fully qualified name of a record name relative to `zone`. */
export function qualifiedName(name: string, zone: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
