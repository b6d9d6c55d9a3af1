/** The resources both fakes keep, in provider-neutral terms; each dialect maps them to its API's shapes. */

export type ServerStatus = 'initializing' | 'running' | 'off' | 'deleting';

export interface FakeServer {
  readonly id: number;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  /** Server type (Hetzner) or size slug (DigitalOcean); changed by a resize. */
  size: string;
  readonly region: string;
  readonly image: string;
  readonly created: string;
  /** Cloud-init user data, as given at creation. */
  readonly userData: string | null;
  readonly publicIpv4: string;
  status: ServerStatus;
  /** When it last became running (epoch ms); null while it is not running. */
  runningSince: number | null;
  /** The action running on it: mutations are refused (locked) until it ends. */
  busyWith: number | null;
}

export interface FakeVolume {
  readonly id: number;
  /** DigitalOcean names volumes by UUID. */
  readonly uuid: string;
  readonly name: string;
  readonly sizeGb: number;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly description: string;
  readonly format: 'ext4' | 'xfs' | null;
  readonly created: string;
  status: 'creating' | 'available';
  serverId: number | null;
  busyWith: number | null;
}

export interface FirewallRule {
  readonly direction: 'in' | 'out';
  readonly protocol: string;
  /** `80`, `80-85`, `all`, or null for protocols without ports. */
  readonly ports: string | null;
  /** The sources of an inbound rule, the destinations of an outbound one. */
  readonly addresses: readonly string[];
  readonly description: string | null;
}

export interface FakeFirewall {
  readonly id: number;
  /** DigitalOcean names firewalls by UUID. */
  readonly uuid: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly FirewallRule[];
  /** Servers it is applied to by id. */
  readonly serverIds: number[];
  /** Servers carrying one of these tags are covered too (DigitalOcean). */
  readonly tags: readonly string[];
  readonly created: string;
  /** When the provider has it in place (DigitalOcean's status turns from `waiting` to `succeeded`). */
  readonly inPlaceAt: number;
}

/** Provider-neutral action commands; each dialect names them as its API does. */
export type ActionCommand =
  | 'create_server'
  | 'delete_server'
  | 'power_on'
  | 'power_off'
  | 'shutdown'
  | 'resize'
  | 'create_volume'
  | 'attach_volume'
  | 'detach_volume'
  | 'apply_firewall'
  | 'create_records'
  | 'set_records'
  | 'delete_records';

export interface ActionResource {
  readonly id: number;
  readonly type: 'server' | 'volume' | 'firewall' | 'zone';
}

export interface FakeAction {
  readonly id: number;
  readonly command: ActionCommand;
  /** The first of `resources`. */
  readonly resourceId: number;
  readonly resources: readonly ActionResource[];
  readonly region: string | null;
  readonly started: string;
  readonly finishesAt: number;
  readonly outcome: 'success' | 'error';
  status: 'running' | 'success' | 'error';
  finished: string | null;
}
