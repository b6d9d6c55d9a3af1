import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { askHealth, isPublicHostname } from '../apps/app-health.js';
import { APP_WEB_PORTS, imageRefOf } from '../apps/app-spec.js';
import { renderCloudInit } from '../apps/cloud-init.js';
import { type ProvisionerConfig } from '../config.js';
import { type DeploymentRecord } from '../deployments/deployment-record.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import {
  ProviderAccountsService,
  type ProviderAccountRecord,
} from '../provider-accounts/provider-accounts.service.js';
import {
  type ObservedServer,
  type ProviderApi,
  ProviderCallError,
  type Submitted,
} from '../providers/provider-api.js';
import { ProviderClients } from '../providers/provider-clients.js';
import { conditionOf } from './conditions.js';
import { DeploymentStatusWriter } from './deployment-status-writer.js';
import { type Observed, observe } from './observation.js';
import { OperationLog } from './operation-log.js';
import { ProviderFailureHandler } from './provider-failures.js';
import { type OperationKind, type ProviderOperation } from './provider-operations.repository.js';
import { type ReconcileResult } from './reconcile-result.js';
import { retryAt } from './retry-schedule.js';
import {
  generationOf,
  generationServerOf,
  type ServerIdentity,
  serverIdentityOf,
  volumeNameOf,
} from './server-identity.js';

interface Pass {
  readonly deployment: DeploymentRecord;
  readonly account: ProviderAccountRecord;
  readonly api: ProviderApi;
  readonly identity: ServerIdentity;
}

/**
 * One reconcile pass over one deployment (the caller holds its lock): finish what an earlier pass started
 * (poll its action), observe the provider, then create or delete to bring it to the desired state.
 * Every change is preceded by a committed intent; every outcome lands in the deployment's conditions.
 */
const DELETE_KINDS: readonly OperationKind[] = [
  'delete',
  'delete_dns_record',
  'delete_firewall',
  'delete_volume',
];

@Injectable()
export class Reconciler {
  private readonly connectTo: URL | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly accounts: ProviderAccountsService,
    private readonly clients: ProviderClients,
    private readonly operations: OperationLog,
    private readonly status: DeploymentStatusWriter,
    private readonly failures: ProviderFailureHandler,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
  ) {
    this.connectTo = config.PROVISIONER_APP_CONNECT_TO ? new URL(config.PROVISIONER_APP_CONNECT_TO) : null;
  }

  async reconcile(deploymentId: string): Promise<ReconcileResult> {
    const deployment = await this.load(deploymentId);
    if (!deployment || (deployment.phase === 'Absent' && deployment.desired === 'absent')) return 'skipped';
    const account = await this.accounts.record(deployment.providerAccountId);
    if (!account) return 'skipped';
    const pass: Pass = {
      deployment,
      account,
      api: this.clients.apiFor(account),
      identity: serverIdentityOf(deployment.id, deployment.serviceId),
    };
    try {
      const open = await this.operations.open(deployment.id);
      if (open?.state === 'submitted' && open.actionId) {
        const polled = await this.pollAction(pass, open, open.actionId);
        if (polled) return polled;
      }
      const observed = await observe(pass.api, pass.identity, deployment, () =>
        this.operations.createdResourceIds(deployment.id, 'create_dns_record'),
      );
      return deployment.desired === 'present'
        ? await this.converge(pass, observed, open)
        : await this.teardown(pass, observed);
    } catch (error) {
      if (error instanceof ProviderCallError) return this.failures.handle(deployment, error);
      throw error;
    }
  }

  async load(deploymentId: string): Promise<DeploymentRecord | undefined> {
    return (await this.deployments.byId(this.dataSource.manager, deploymentId)) ?? undefined;
  }

  /** A running action means wait; an errored one is the deployment's failure; a finished one, observe. */
  private async pollAction(
    { deployment, api }: Pass,
    operation: ProviderOperation,
    actionId: string,
  ): Promise<ReconcileResult | undefined> {
    let action;
    try {
      action = await api.getAction(actionId);
    } catch (error) {
      if (!(error instanceof ProviderCallError && error.failure === 'not_found')) throw error;
      await this.operations.finish(operation.id, 'unknown', `action ${actionId} is gone; observing instead`);
      return undefined;
    }
    if (action.status === 'success') {
      await this.operations.finish(operation.id, 'succeeded', null);
      return undefined;
    }
    if (action.status === 'running') {
      await this.status.apply(deployment, {
        attempt: deployment.attempt + 1,
        nextReconcileAt: this.after(deployment.attempt + 1),
      });
      return 'progressing';
    }
    const message = `${operation.kind} action ${action.id} failed: ${action.error ?? 'no reason given'}`;
    await this.operations.finish(operation.id, 'failed', message);
    const building = !operation.kind.startsWith('delete');
    await this.status.apply(deployment, {
      phase: building && deployment.desired === 'present' ? 'Failed' : 'Deleting',
      conditions: [
        ...(building
          ? [{ type: 'Ready' as const, status: 'False' as const, reason: 'ProviderActionFailed', message }]
          : []),
        { type: 'Synced', status: 'False', reason: 'ProviderActionFailed', message },
      ],
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
      // Only the server's own actions say whether it runs.
      ...(operation.kind === 'create' || operation.kind === 'delete' ? { uptime: 'stopped' as const } : {}),
    });
    return 'failed';
  }

  private async converge(
    pass: Pass,
    observed: Observed,
    open: ProviderOperation | undefined,
  ): Promise<ReconcileResult> {
    const { deployment, identity } = pass;
    // Oldest first: should two of one generation exist (DigitalOcean does not refuse a second name), the first stays.
    const [server, ...extras] = observed.servers.filter(
      (candidate) => generationOf(candidate) === deployment.generation,
    );
    const previous = observed.servers.filter(
      (candidate) => generationOf(candidate) !== deployment.generation,
    );
    for (const extra of extras) if (extra.status !== 'deleting') await this.deleteServer(pass, extra);

    if (deployment.app) {
      const blocked = this.dnsBlocker(pass, observed);
      if (blocked) return this.blocked(pass, blocked.reason, blocked.message);
      if (observed.firewalls.length === 0) {
        await this.operations.abandon(deployment.id, 'create_firewall', 'not on the provider');
        const { firewall } = await this.act(pass, 'create_firewall', null, async () => {
          const made = await pass.api.createFirewall({ identity, inboundTcpPorts: APP_WEB_PORTS });
          return { ...made, resourceId: made.firewall.id };
        });
        return this.building(pass, 'CreatingFirewall', `Created firewall ${firewall.name} (${firewall.id}).`);
      }
      await this.operations.settle(deployment.id, 'create_firewall', 'the firewall is there');
      const missing = deployment.volumes.find(
        (volume) => !observed.volumes.some((found) => found.name === volumeNameOf(identity, volume.name)),
      );
      if (missing) {
        await this.operations.abandon(deployment.id, 'create_volume', 'not on the provider');
        const { volume } = await this.act(pass, 'create_volume', null, async () => {
          const made = await pass.api.createVolume({
            identity,
            volume: missing.name,
            sizeGb: missing.sizeGb,
            region: deployment.region,
          });
          return { ...made, resourceId: made.volume.id };
        });
        return this.building(pass, 'CreatingVolume', `Creating volume ${volume.name} (${volume.id}).`);
      }
      await this.operations.settle(deployment.id, 'create_volume', 'the volumes are there');
    }
    if (!server)
      return (await this.freeVolumes(pass, observed, previous)) ?? this.create(pass, open, observed);

    if (open?.kind === 'create' && open.state !== 'submitted')
      await this.operations.finish(
        open.id,
        'succeeded',
        `adopted server ${server.id} found by its labels`,
        server.id,
      );
    const named = `server ${server.name} (${server.id})`;
    const resize = server.size !== '' && server.size !== deployment.size;
    if (server.status === 'running' && resize) {
      await this.act(pass, 'power_off', server.id, () => pass.api.powerOff(server.id));
      return this.building(
        pass,
        'Resizing',
        `Stopping ${named} to resize it from ${server.size} to ${deployment.size}.`,
      );
    }
    if (server.status === 'stopped' && (await this.operations.isResizing(deployment.id, server.id))) {
      if (resize) {
        await this.act(pass, 'resize', server.id, () => pass.api.changeSize(server.id, deployment.size));
        return this.building(
          pass,
          'Resizing',
          `Resizing ${named} from ${server.size} to ${deployment.size}.`,
        );
      }
      await this.act(pass, 'power_on', server.id, () => pass.api.powerOn(server.id));
      return this.building(pass, 'Resizing', `Starting ${named} at ${deployment.size}.`);
    }
    if (server.status === 'running') {
      await this.operations.settle(deployment.id, 'create', `${named} is running`, server.id);
      return deployment.app
        ? this.serve(pass, observed, server, previous)
        : this.ready(pass, server, 'ServerRunning', `${named} is running`);
    }
    if (server.status === 'provisioning' || server.status === 'deleting') {
      await this.status.apply(deployment, {
        phase: deployment.phase === 'Failed' ? 'Failed' : 'Provisioning',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: server.status === 'deleting' ? 'ServerDeleting' : 'Provisioning',
            message: `${named} is ${server.providerStatus}`,
          },
        ],
        resourceId: server.id,
        attempt: deployment.attempt + 1,
        nextReconcileAt: this.after(deployment.attempt + 1),
        uptime: 'stopped',
      });
      return 'progressing';
    }
    // Off or broken. A server whose creation failed is ours to replace; anything else is reported, not touched.
    const latest = await this.operations.latest(deployment.id);
    const replace = latest?.kind === 'create' && latest.state === 'failed';
    if (replace) await this.deleteServer(pass, server);
    await this.status.apply(deployment, {
      phase: 'Failed',
      conditions: [
        replace
          ? {
              type: 'Ready',
              status: 'False',
              reason: 'ProviderActionFailed',
              message: `${named} failed to come up (${latest.error ?? 'no reason'}); replacing it`,
            }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'ServerNotRunning',
              message: `${named} is ${server.providerStatus}`,
            },
        {
          type: 'Synced',
          status: replace ? 'False' : 'True',
          reason: replace ? 'ReplacingFailedServer' : 'Reconciled',
          message: replace ? 'Deleting the failed server.' : 'Observed.',
        },
      ],
      resourceId: server.id,
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
      uptime: 'stopped',
    });
    return 'failed';
  }

  /** Why the app cannot be served on its domain, before anything is created for it. */
  private dnsBlocker({ deployment }: Pass, observed: Observed): { reason: string; message: string } | null {
    if (!isPublicHostname(deployment.domain))
      return { reason: 'InvalidDomain', message: `${deployment.domain} is not a public DNS name.` };
    if (!observed.dns?.zone)
      return {
        reason: 'DnsZoneNotFound',
        message: `The provider account has no DNS zone that holds ${deployment.domain}; add one, then it is retried.`,
      };
    if (observed.dns.foreign.length > 0)
      return {
        reason: 'DnsRecordConflict',
        message:
          `${deployment.domain} already has an A record this deployment did not make ` +
          `(${observed.dns.foreign.flatMap((record) => record.values).join(', ')}); it is left alone.`,
      };
    return null;
  }

  /** The server runs: point the domain at it, then wait until the app answers there. */
  private async serve(
    pass: Pass,
    observed: Observed,
    server: ObservedServer,
    previous: readonly ObservedServer[],
  ): Promise<ReconcileResult> {
    const { deployment, api, identity } = pass;
    const app = deployment.app;
    const dns = observed.dns;
    if (!app || !dns?.zone) throw new Error('serve() needs an app and its DNS zone');
    const zone = dns.zone;
    const address = server.ipv4;
    if (!address)
      return this.building(
        pass,
        'WaitingForAddress',
        `Server ${server.id} has no public IPv4 yet.`,
        'running',
      );
    const [record, ...extraRecords] = dns.ours;
    for (const extra of extraRecords)
      await this.act(pass, 'delete_dns_record', extra.id, () =>
        api.deleteDnsRecord(zone, extra, deployment.domain),
      );
    if (!record) {
      await this.operations.abandon(deployment.id, 'create_dns_record', 'not on the provider');
      await this.act(pass, 'create_dns_record', null, async () => {
        const made = await api.createDnsRecord(zone, { domain: deployment.domain, ipv4: address, identity });
        return { ...made, resourceId: made.record.id };
      });
      return this.building(pass, 'PublishingDns', `Pointing ${deployment.domain} at ${address}.`, 'running');
    }
    if (record.values.length !== 1 || record.values[0] !== address) {
      await this.act(pass, 'update_dns_record', record.id, () =>
        api.setDnsRecord(zone, record, deployment.domain, address),
      );
      return this.building(pass, 'PublishingDns', `Pointing ${deployment.domain} at ${address}.`, 'running');
    }
    await this.operations.settle(
      deployment.id,
      'create_dns_record',
      `${deployment.domain} points at ${address}`,
    );
    await this.operations.settle(
      deployment.id,
      'update_dns_record',
      `${deployment.domain} points at ${address}`,
    );

    const health = await askHealth(deployment.domain, app.healthPath, {
      connectTo: this.connectTo,
      timeoutMs: this.config.PROVISIONER_APP_HEALTH_TIMEOUT_MS,
    });
    const where = `https://${deployment.domain}${app.healthPath}`;
    if (health.answering) {
      // The new generation serves: the servers of earlier ones go.
      for (const old of previous) if (old.status !== 'deleting') await this.deleteServer(pass, old);
      return this.ready(
        pass,
        server,
        'AppAnswering',
        `${imageRefOf(app)} answers ${where} (${health.detail}).`,
      );
    }
    // Stopped answering, or not answering yet (first start, after a rollout's or a resize's steps).
    const stopped = ['AppAnswering', 'AppNotAnswering'].includes(
      conditionOf(deployment.conditions, 'Ready')?.reason ?? '',
    );
    await this.status.apply(deployment, {
      phase: stopped ? 'Failed' : deployment.phase === 'Running' ? 'Running' : 'Provisioning',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: stopped ? 'AppNotAnswering' : 'AppStarting',
          message: `${where} does not answer${stopped ? '' : ' yet'}: ${health.detail}.`,
        },
        {
          type: 'Synced',
          status: 'True',
          reason: 'Reconciled',
          message: 'The provider matches the desired state.',
        },
      ],
      resourceId: server.id,
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
      uptime: 'running',
    });
    return 'progressing';
  }

  private async ready(
    { deployment }: Pass,
    server: ObservedServer,
    reason: string,
    message: string,
  ): Promise<ReconcileResult> {
    await this.status.apply(deployment, {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', reason, message },
        {
          type: 'Synced',
          status: 'True',
          reason: 'Reconciled',
          message: 'The provider matches the desired state.',
        },
      ],
      resourceId: server.id,
      attempt: 0,
      nextReconcileAt: new Date(Date.now() + this.config.PROVISIONER_RESYNC_INTERVAL_MS),
      uptime: 'running',
    });
    return 'converged';
  }

  /** One step of building taken: the next pass comes soon (or when its action has run). */
  private async building(
    { deployment }: Pass,
    reason: string,
    message: string,
    uptime: 'running' | 'stopped' = 'stopped',
  ): Promise<ReconcileResult> {
    await this.status.apply(deployment, {
      phase: deployment.phase === 'Running' ? 'Running' : 'Provisioning',
      conditions: [
        { type: 'Ready', status: 'False', reason, message },
        { type: 'Synced', status: 'False', reason, message },
      ],
      attempt: 1,
      nextReconcileAt: this.after(1),
      uptime,
    });
    return 'progressing';
  }

  /** Something the deployment's owner (or the provider) must change first: retried with backoff. */
  private async blocked({ deployment }: Pass, reason: string, message: string): Promise<ReconcileResult> {
    await this.status.apply(deployment, {
      phase: 'Failed',
      conditions: [
        { type: 'Ready', status: 'False', reason, message },
        { type: 'Synced', status: 'False', reason, message },
      ],
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
    });
    return 'failed';
  }

  /**
   * A rollout: the new generation's server is created with the volumes, so they must first leave the earlier
   * server, which is stopped for that (one step per pass; null once they are free). Without volumes the earlier
   * server keeps serving until the new one answers.
   */
  private async freeVolumes(
    pass: Pass,
    observed: Observed,
    previous: readonly ObservedServer[],
  ): Promise<ReconcileResult | null> {
    const { deployment, api } = pass;
    const held = observed.volumes.filter((volume) => previous.some((old) => old.id === volume.serverId));
    const [volume] = held;
    if (!volume) return null;
    const holder = previous.find((old) => old.id === volume.serverId);
    const rollout = `generation ${deployment.generation}`;
    if (holder && holder.status !== 'stopped') {
      if (holder.status === 'running')
        await this.act(pass, 'power_off', holder.id, () => api.powerOff(holder.id));
      return this.building(
        pass,
        'RollingOut',
        `Stopping server ${holder.name} (${holder.id}) to move its volumes to ${rollout}.`,
      );
    }
    await this.act(pass, 'detach_volume', volume.id, () => api.detachVolume(volume, deployment.region));
    return this.building(pass, 'RollingOut', `Moving volume ${volume.name} to the server of ${rollout}.`);
  }

  /** Nothing carries our labels: record the intent, then ask for the server (with the app to run, if any). */
  private async create(
    pass: Pass,
    open: ProviderOperation | undefined,
    observed: Observed,
  ): Promise<ReconcileResult> {
    const { deployment, account, api, identity } = pass;
    if (open?.kind === 'create')
      await this.operations.finish(
        open.id,
        'failed',
        'not on the provider: the earlier call did not take effect',
      );
    const app = deployment.app;
    const volumes = deployment.volumes.map((volume) => {
      const found = observed.volumes.find(
        (candidate) => candidate.name === volumeNameOf(identity, volume.name),
      );
      if (!found) throw new Error(`volume ${volume.name} is not there`);
      return { ...volume, id: found.id, device: found.device };
    });
    const created = await this.act(pass, 'create', null, async () => {
      const made = await api.createServer({
        identity: generationServerOf(identity, deployment.generation),
        region: deployment.region,
        size: deployment.size,
        image: account.image,
        ...(app
          ? {
              userData: renderCloudInit(app, deployment.domain, volumes),
              volumeIds: volumes.map((volume) => volume.id),
              ...(observed.firewalls[0] ? { firewallId: observed.firewalls[0].id } : {}),
            }
          : {}),
      });
      return { ...made, resourceId: made.server.id };
    });
    await this.status.apply(deployment, {
      phase: 'Provisioning',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Provisioning',
          message: `Creating server ${created.server.name} (${created.server.id}).`,
        },
        {
          type: 'Synced',
          status: 'True',
          reason: 'CreateRequested',
          message: `The provider accepted the server (${created.server.id}).`,
        },
      ],
      resourceId: created.server.id,
      attempt: 1,
      nextReconcileAt: this.after(1),
    });
    return 'progressing';
  }

  /**
   * Deletes what carries the deployment's marks, and nothing else: its DNS records and servers first, then
   * (once no server holds them) its firewall and volumes.
   */
  private async teardown(pass: Pass, observed: Observed): Promise<ReconcileResult> {
    const { deployment, api } = pass;
    const zone = observed.dns?.zone;
    const records = zone ? (observed.dns?.ours ?? []) : [];
    const leftovers = [
      ...records.map((record) => `DNS record ${record.id}`),
      ...observed.servers.map((server) => `server ${server.id}`),
      ...observed.firewalls.map((firewall) => `firewall ${firewall.id}`),
      ...observed.volumes.map((volume) => `volume ${volume.id}`),
    ];
    if (leftovers.length === 0) {
      for (const kind of DELETE_KINDS)
        await this.operations.settle(deployment.id, kind, 'nothing of the deployment is left');
      await this.status.apply(deployment, {
        phase: 'Absent',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Deleted',
            message: 'The deployment’s servers are deleted.',
          },
          {
            type: 'Synced',
            status: 'True',
            reason: 'Deleted',
            message: 'Nothing of this deployment is left at the provider.',
          },
        ],
        resourceId: null,
        attempt: 0,
        nextReconcileAt: null,
        uptime: 'stopped',
      });
      return 'converged';
    }
    if (zone)
      for (const record of records)
        await this.tryDelete(pass, 'delete_dns_record', record.id, () =>
          api.deleteDnsRecord(zone, record, deployment.domain),
        );
    for (const server of observed.servers)
      if (server.status !== 'deleting') await this.deleteServer(pass, server);
    if (observed.servers.length === 0) {
      for (const firewall of observed.firewalls)
        await this.tryDelete(pass, 'delete_firewall', firewall.id, () => api.deleteFirewall(firewall.id));
      for (const volume of observed.volumes)
        if (volume.serverId === null)
          await this.tryDelete(pass, 'delete_volume', volume.id, () => api.deleteVolume(volume.id));
    }
    await this.status.apply(deployment, {
      phase: 'Deleting',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Deleting',
          message: `Deleting ${leftovers.join(', ')}.`,
        },
        {
          type: 'Synced',
          status: 'True',
          reason: 'DeleteRequested',
          message: 'Waiting for the provider to delete.',
        },
      ],
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
      uptime: 'stopped',
    });
    return 'progressing';
  }

  /** Deletes one server that carries this deployment's labels (the only kind ever deleted). */
  private async deleteServer(pass: Pass, server: ObservedServer): Promise<void> {
    await this.tryDelete(pass, 'delete', server.id, () => pass.api.deleteServer(server.id));
  }

  /** A delete whose target is already gone has succeeded; one the provider holds back (locked) is retried. */
  private async tryDelete(
    pass: Pass,
    kind: OperationKind,
    resourceId: string,
    call: () => Promise<Submitted>,
  ): Promise<void> {
    try {
      await this.act(pass, kind, resourceId, call);
    } catch (error) {
      if (!(error instanceof ProviderCallError)) throw error;
      if (error.failure !== 'not_found' && error.failure !== 'locked') throw error;
    }
  }

  /**
   * Records the intent (committed before the call), makes the call, then records what came of it: submitted
   * with its resource and action, or failed (or unknown, when the provider may have acted anyway).
   */
  private async act<Result extends Submitted & { resourceId?: string }>(
    { deployment }: Pass,
    kind: OperationKind,
    resourceId: string | null,
    call: () => Promise<Result>,
  ): Promise<Result> {
    const operation = await this.operations.intend(deployment.id, kind, resourceId);
    try {
      const result = await call();
      await this.operations.submitted(operation.id, result.resourceId ?? resourceId, result.actionId);
      return result;
    } catch (error) {
      if (error instanceof ProviderCallError) {
        if (error.failure === 'not_found' && kind.startsWith('delete'))
          await this.operations.finish(operation.id, 'succeeded', 'already gone');
        else
          await this.operations.finish(
            operation.id,
            error.outcomeUnknown ? 'unknown' : 'failed',
            error.message,
          );
      }
      throw error;
    }
  }

  private after(attempt: number): Date {
    return retryAt(attempt, this.config);
  }
}
