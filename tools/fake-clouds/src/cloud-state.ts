import {
  type ActionCommand,
  type ActionResource,
  type FakeAction,
  type FakeFirewall,
  type FakeServer,
  type FakeVolume,
} from './cloud-resources.js';
import { DnsZones } from './dns-zones.js';
import { nextPublicIpv4 } from './public-ipv4.js';

export type {
  ActionCommand,
  ActionResource,
  FakeAction,
  FakeFirewall,
  FakeServer,
  FakeVolume,
  FirewallRule,
  ServerStatus,
} from './cloud-resources.js';

export const DEFAULT_DNS_ZONES: readonly string[] = ['example.org', 'demo.onecommons.test'];

export type NewServer = Pick<FakeServer, 'name' | 'labels' | 'tags' | 'size' | 'region' | 'image'> & {
  readonly userData?: string | null;
};
export type NewVolume = Omit<FakeVolume, 'id' | 'uuid' | 'created' | 'status' | 'serverId' | 'busyWith'>;
export type NewFirewall = Pick<FakeFirewall, 'name' | 'labels' | 'rules' | 'tags'> & {
  readonly serverIds?: readonly number[];
};

/** What an action holds and does: its locks are released and its effect applied when it settles. */
interface ActionPlan {
  readonly resources: readonly ActionResource[];
  readonly region: string | null;
  readonly locks: readonly { busyWith: number | null }[];
  readonly apply?: (outcome: FakeAction['outcome'], finishedAt: number) => void;
}

/** The state both fakes keep: servers, volumes, firewalls, DNS, and the actions that change them, which settle lazily. */
export class CloudState {
  readonly servers = new Map<number, FakeServer>();
  readonly actions = new Map<number, FakeAction>();
  readonly volumes = new Map<number, FakeVolume>();
  readonly firewalls = new Map<number, FakeFirewall>();
  readonly dns: DnsZones;
  private readonly plans = new Map<number, ActionPlan>();
  private nextId = 1_000 + Math.floor(Math.random() * 1_000);
  /** How many upcoming actions end in `error`. */
  erroringActions = 0;

  constructor(
    readonly now: () => number,
    readonly actionDurationMs: number,
    dnsZones: readonly string[] = DEFAULT_DNS_ZONES,
  ) {
    this.dns = new DnsZones(
      dnsZones,
      () => this.id(),
      () => this.timestamp(),
    );
  }

  id(): number {
    return this.nextId++;
  }

  timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  /** A new server, with the volumes attached and the firewalls applied at once; running when its action ends. */
  createServer(
    spec: NewServer,
    attached: { volumes?: readonly FakeVolume[]; firewalls?: readonly FakeFirewall[] } = {},
  ): { server: FakeServer; action: FakeAction } {
    const server: FakeServer = {
      ...spec,
      userData: spec.userData ?? null,
      id: this.id(),
      created: this.timestamp(),
      publicIpv4: nextPublicIpv4(),
      status: 'initializing',
      runningSince: null,
      busyWith: null,
    };
    this.servers.set(server.id, server);
    for (const volume of attached.volumes ?? []) volume.serverId = server.id;
    for (const firewall of attached.firewalls ?? []) firewall.serverIds.push(server.id);
    const action = this.startAction('create_server', {
      ...this.onServer(server),
      apply: (outcome, finishedAt) => {
        server.status = outcome === 'success' ? 'running' : 'off';
        server.runningSince = outcome === 'success' ? finishedAt : null;
      },
    });
    return { server, action };
  }

  /** Gone when its action succeeds, leaving its volumes detached and its firewalls without it. */
  deleteServer(server: FakeServer): FakeAction {
    server.status = 'deleting';
    server.runningSince = null;
    return this.startAction('delete_server', {
      ...this.onServer(server),
      apply: (outcome) => (outcome === 'success' ? this.forget(server) : (server.status = 'off')),
    });
  }

  changePower(server: FakeServer, command: 'power_on' | 'power_off' | 'shutdown'): FakeAction {
    return this.startAction(command, {
      ...this.onServer(server),
      apply: (outcome, finishedAt) => {
        if (outcome !== 'success') return;
        if (command !== 'power_on') {
          server.status = 'off';
          server.runningSince = null;
        } else if (server.status !== 'running') {
          server.status = 'running';
          server.runningSince = finishedAt;
        }
      },
    });
  }

  resizeServer(server: FakeServer, size: string): FakeAction {
    return this.startAction('resize', {
      ...this.onServer(server),
      apply: (outcome) => {
        if (outcome === 'success') server.size = size;
      },
    });
  }

  volumesOf(server: FakeServer): FakeVolume[] {
    return [...this.volumes.values()].filter((volume) => volume.serverId === server.id);
  }

  firewallsOf(server: FakeServer): FakeFirewall[] {
    return [...this.firewalls.values()].filter(
      (firewall) =>
        firewall.serverIds.includes(server.id) || firewall.tags.some((tag) => server.tags.includes(tag)),
    );
  }

  serverWithIpv4(address: string): FakeServer | undefined {
    return [...this.servers.values()].find((server) => server.publicIpv4 === address);
  }

  /** A volume that is available at once (DigitalOcean answers with it, no action). */
  addVolume(spec: NewVolume): FakeVolume {
    const volume: FakeVolume = {
      ...spec,
      id: this.id(),
      uuid: crypto.randomUUID(),
      created: this.timestamp(),
      status: 'available',
      serverId: null,
      busyWith: null,
    };
    this.volumes.set(volume.id, volume);
    return volume;
  }

  /** A volume that is `creating` until its action ends (Hetzner). */
  createVolume(spec: NewVolume): { volume: FakeVolume; action: FakeAction } {
    const volume = this.addVolume(spec);
    volume.status = 'creating';
    const action = this.startAction('create_volume', {
      resources: [{ id: volume.id, type: 'volume' }],
      region: volume.region,
      locks: [volume],
      apply: (outcome) => (outcome === 'success' ? (volume.status = 'available') : this.deleteVolume(volume)),
    });
    return { volume, action };
  }

  /** Attached when the action succeeds; the volume and the server are locked meanwhile. */
  attachVolume(volume: FakeVolume, server: FakeServer): FakeAction {
    return this.startAction('attach_volume', {
      resources: [
        { id: volume.id, type: 'volume' },
        { id: server.id, type: 'server' },
      ],
      region: volume.region,
      locks: [volume, server],
      apply: (outcome) => {
        if (outcome === 'success' && this.servers.has(server.id)) volume.serverId = server.id;
      },
    });
  }

  detachVolume(volume: FakeVolume): FakeAction {
    const server = volume.serverId === null ? undefined : this.servers.get(volume.serverId);
    return this.startAction('detach_volume', {
      resources: [
        { id: volume.id, type: 'volume' },
        ...(server ? [{ id: server.id, type: 'server' as const }] : []),
      ],
      region: volume.region,
      locks: server ? [volume, server] : [volume],
      apply: (outcome) => {
        if (outcome === 'success') volume.serverId = null;
      },
    });
  }

  deleteVolume(volume: FakeVolume): void {
    this.volumes.delete(volume.id);
  }

  addFirewall(spec: NewFirewall): FakeFirewall {
    const firewall: FakeFirewall = {
      ...spec,
      serverIds: [...(spec.serverIds ?? [])],
      id: this.id(),
      uuid: crypto.randomUUID(),
      created: this.timestamp(),
      inPlaceAt: this.now() + this.actionDurationMs,
    };
    this.firewalls.set(firewall.id, firewall);
    return firewall;
  }

  /** Applied at once; the action only reports when the provider has it in place. */
  applyFirewall(firewall: FakeFirewall, server: FakeServer): FakeAction {
    if (!firewall.serverIds.includes(server.id)) firewall.serverIds.push(server.id);
    return this.startAction('apply_firewall', {
      resources: [
        { id: firewall.id, type: 'firewall' },
        { id: server.id, type: 'server' },
      ],
      region: null,
      locks: [],
    });
  }

  deleteFirewall(firewall: FakeFirewall): void {
    this.firewalls.delete(firewall.id);
  }

  /** DNS changes take effect at once; the action stands for publishing them to the name servers. */
  dnsAction(command: 'create_records' | 'set_records' | 'delete_records', zoneId: number): FakeAction {
    return this.startAction(command, { resources: [{ id: zoneId, type: 'zone' }], region: null, locks: [] });
  }

  /** Settles every action whose time has come, in the order they started: releases its locks, applies its effect. */
  settle(): void {
    const now = this.now();
    for (const action of this.actions.values()) {
      if (action.status !== 'running' || action.finishesAt > now) continue;
      action.status = action.outcome;
      action.finished = new Date(now).toISOString();
      const plan = this.plans.get(action.id);
      this.plans.delete(action.id);
      for (const lock of plan?.locks ?? []) if (lock.busyWith === action.id) lock.busyWith = null;
      plan?.apply?.(action.outcome, action.finishesAt);
    }
  }

  private onServer(server: FakeServer): Omit<ActionPlan, 'apply'> {
    return { resources: [{ id: server.id, type: 'server' }], region: server.region, locks: [server] };
  }

  private forget(server: FakeServer): void {
    this.servers.delete(server.id);
    for (const volume of this.volumesOf(server)) volume.serverId = null;
    for (const firewall of this.firewalls.values()) {
      const index = firewall.serverIds.indexOf(server.id);
      if (index >= 0) firewall.serverIds.splice(index, 1);
    }
  }

  private startAction(command: ActionCommand, plan: ActionPlan): FakeAction {
    const erroring = this.erroringActions > 0;
    if (erroring) this.erroringActions--;
    const [first] = plan.resources;
    const action: FakeAction = {
      id: this.id(),
      command,
      resourceId: first?.id ?? 0,
      resources: plan.resources,
      region: plan.region,
      started: this.timestamp(),
      finishesAt: this.now() + this.actionDurationMs,
      outcome: erroring ? 'error' : 'success',
      status: 'running',
      finished: null,
    };
    this.actions.set(action.id, action);
    this.plans.set(action.id, plan);
    for (const lock of plan.locks) lock.busyWith = action.id;
    return action;
  }
}
