import { Injectable } from '@nestjs/common';
import {
  AppUserPlanChangedV1,
  type CloudEvent,
  createEvent,
  type DataOf,
  SubscriptionCancelledV1,
  SubscriptionEndedV1,
  SubscriptionPastDueV1,
  SubscriptionRenewedV1,
  SubscriptionStartedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent, OutboxWriter } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';
import { AccountClaimsRepository } from '../provider/account-claims.repository.js';
import { OidcArtifactsRepository } from '../provider/oidc-artifacts.repository.js';

type Cause = DataOf<typeof AppUserPlanChangedV1>['cause'];

const SOURCE = { source: '/onecommons/identity' };

/**
 * Apps learn their users' plan changes by webhook: for each subscription event, one notice to every app
 * (OpenID client) the subscriber granted the `plan` scope, carrying the plan as it is now. Subscription events
 * themselves stay the platform's (admins only); an app hears only of the subscribers who signed in to it.
 */
@Injectable()
export class AppUserPlanNotices {
  constructor(
    private readonly artifacts: OidcArtifactsRepository,
    private readonly claims: AccountClaimsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  @OnEvent(SubscriptionStartedV1)
  onStarted({ data }: CloudEvent<DataOf<typeof SubscriptionStartedV1>>, { manager }: EventContext) {
    return this.notify(manager, data.subscriber, 'subscription.started', data.startedAt);
  }

  @OnEvent(SubscriptionRenewedV1)
  onRenewed({ data }: CloudEvent<DataOf<typeof SubscriptionRenewedV1>>, { manager }: EventContext) {
    return this.notify(manager, data.subscriber, 'subscription.renewed', data.renewedAt);
  }

  @OnEvent(SubscriptionPastDueV1)
  onPastDue({ data }: CloudEvent<DataOf<typeof SubscriptionPastDueV1>>, { manager }: EventContext) {
    return this.notify(manager, data.subscriber, 'subscription.past-due', data.failedAt);
  }

  @OnEvent(SubscriptionCancelledV1)
  onCancelled({ data }: CloudEvent<DataOf<typeof SubscriptionCancelledV1>>, { manager }: EventContext) {
    return this.notify(manager, data.subscriber, 'subscription.cancelled', data.cancelledAt);
  }

  @OnEvent(SubscriptionEndedV1)
  onEnded({ data }: CloudEvent<DataOf<typeof SubscriptionEndedV1>>, { manager }: EventContext) {
    return this.notify(manager, data.subscriber, 'subscription.ended', data.endedAt);
  }

  private async notify(
    manager: EntityManager,
    subscriber: string,
    cause: Cause,
    changedAt: string,
  ): Promise<void> {
    const clients = await this.artifacts.clientsGrantedScope(manager, subscriber, 'plan');
    if (clients.length === 0) return;
    const claims = await this.claims.claimsOf(manager, subscriber);
    if (!claims) return;
    await this.outbox.append(
      manager,
      clients.map((client) =>
        createEvent(
          AppUserPlanChangedV1,
          {
            organizationId: client.organizationId,
            serviceId: client.serviceId,
            clientId: client.clientId,
            sub: subscriber,
            plan: claims.plan,
            cause,
            changedAt,
          },
          SOURCE,
        ),
      ),
    );
  }
}
