import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { type DeploymentRecord } from '../deployments/deployment-record.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import {
  ProviderAccountsService,
  type ProviderAccountRecord,
} from '../provider-accounts/provider-accounts.service.js';
import { type ObservedServer, type ProviderApi, ProviderCallError } from '../providers/provider-api.js';
import { ProviderClients } from '../providers/provider-clients.js';
import { DeploymentStatusWriter } from './deployment-status-writer.js';
import { OperationLog } from './operation-log.js';
import { ProviderFailureHandler } from './provider-failures.js';
import { type ProviderOperation } from './provider-operations.repository.js';
import { type ReconcileResult } from './reconcile-result.js';
import { retryAt } from './retry-schedule.js';
import { type ServerIdentity, serverIdentityOf } from './server-identity.js';

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
@Injectable()
export class Reconciler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly accounts: ProviderAccountsService,
    private readonly clients: ProviderClients,
    private readonly operations: OperationLog,
    private readonly status: DeploymentStatusWriter,
    private readonly failures: ProviderFailureHandler,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
  ) {}

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
      const observed = await pass.api.findServers(pass.identity);
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
    await this.status.apply(deployment, {
      phase: operation.kind === 'create' && deployment.desired === 'present' ? 'Failed' : 'Deleting',
      conditions: [
        ...(operation.kind === 'create'
          ? [{ type: 'Ready' as const, status: 'False' as const, reason: 'ProviderActionFailed', message }]
          : []),
        { type: 'Synced', status: 'False', reason: 'ProviderActionFailed', message },
      ],
      attempt: deployment.attempt + 1,
      nextReconcileAt: this.after(deployment.attempt + 1),
      uptime: 'stopped',
    });
    return 'failed';
  }

  private async converge(
    pass: Pass,
    observed: readonly ObservedServer[],
    open: ProviderOperation | undefined,
  ): Promise<ReconcileResult> {
    const { deployment } = pass;
    // Oldest first: should two ever exist (DigitalOcean does not refuse a second name), the first one stays.
    const [server, ...extras] = [...observed].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id),
    );
    for (const extra of extras) await this.deleteServer(pass, extra);
    if (!server) return this.create(pass, open);

    if (open?.kind === 'create' && open.state !== 'submitted')
      await this.operations.finish(
        open.id,
        'succeeded',
        `adopted server ${server.id} found by its labels`,
        server.id,
      );
    const named = `server ${server.name} (${server.id})`;
    if (server.status === 'running') {
      await this.operations.settle(deployment.id, 'create', `${named} is running`, server.id);
      await this.status.apply(deployment, {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ServerRunning', message: `${named} is running` },
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

  /** Nothing carries our labels: record the intent, then ask for the server. */
  private async create(pass: Pass, open: ProviderOperation | undefined): Promise<ReconcileResult> {
    const { deployment, account, api, identity } = pass;
    if (open?.kind === 'create')
      await this.operations.finish(
        open.id,
        'failed',
        'not on the provider: the earlier call did not take effect',
      );
    const operation = await this.operations.intend(deployment.id, 'create');
    let created;
    try {
      created = await api.createServer({
        identity,
        region: deployment.region,
        size: deployment.size,
        image: account.image,
      });
    } catch (error) {
      if (error instanceof ProviderCallError)
        await this.operations.finish(
          operation.id,
          error.outcomeUnknown ? 'unknown' : 'failed',
          error.message,
        );
      throw error;
    }
    await this.operations.submitted(operation.id, created.server.id, created.actionId);
    await this.status.apply(deployment, {
      phase: 'Provisioning',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Provisioning',
          message: `Creating server ${identity.name} (${created.server.id}).`,
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

  private async teardown(pass: Pass, observed: readonly ObservedServer[]): Promise<ReconcileResult> {
    const { deployment } = pass;
    if (observed.length === 0) {
      await this.operations.settle(
        deployment.id,
        'delete',
        'no server carries the deployment’s labels any more',
      );
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
    for (const server of observed) if (server.status !== 'deleting') await this.deleteServer(pass, server);
    await this.status.apply(deployment, {
      phase: 'Deleting',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Deleting',
          message: `Deleting ${observed.map((server) => server.id).join(', ')}.`,
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
  private async deleteServer({ deployment, api }: Pass, server: ObservedServer): Promise<void> {
    const operation = await this.operations.intend(deployment.id, 'delete', server.id);
    try {
      const { actionId } = await api.deleteServer(server.id);
      await this.operations.submitted(operation.id, server.id, actionId);
    } catch (error) {
      if (!(error instanceof ProviderCallError)) throw error;
      if (error.failure === 'not_found')
        return this.operations.finish(operation.id, 'succeeded', 'already gone');
      await this.operations.finish(operation.id, error.outcomeUnknown ? 'unknown' : 'failed', error.message);
      if (error.failure !== 'locked') throw error;
    }
  }

  private after(attempt: number): Date {
    return retryAt(attempt, this.config);
  }
}
