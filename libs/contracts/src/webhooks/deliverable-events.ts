import { AgreementMadeV1 } from '../catalog/agreement-made.js';
import { AgreementUpdatedV1 } from '../catalog/agreement-updated.js';
import { AppRegisteredV1 } from '../catalog/app-registered.js';
import { MeterDefinedV2 } from '../catalog/meter-defined.js';
import { ProjectCreatedV1 } from '../catalog/project-created.js';
import { ProjectDependenciesSetV1 } from '../catalog/project-dependencies-set.js';
import { ServiceCreatedV1 } from '../catalog/service-created.js';
import { ServiceTypeDefinedV1 } from '../catalog/service-type-defined.js';
import { ServiceUpdatedV1 } from '../catalog/service-updated.js';
import { AgreementTermsScheduledV1, ServiceTermsScheduledV1 } from '../catalog/terms-scheduled.js';
import { type EventContract } from '../envelope/event-contract.js';
import { ApiKeyCreatedV1, ApiKeyRevokedV1, OrganizationCreatedV1 } from '../identity/organizations.js';
import { AppUserPlanChangedV1 } from '../identity/app-user-plan-changed.js';
import { PaymentCapturedV1 } from '../identity/payment-captured.js';
import { SubscriptionCancelledV1 } from '../identity/subscription-cancelled.js';
import { SubscriptionEndedV1 } from '../identity/subscription-ended.js';
import { SubscriptionPastDueV1 } from '../identity/subscription-past-due.js';
import { SubscriptionRenewedV1 } from '../identity/subscription-renewed.js';
import { SubscriptionStartedV1 } from '../identity/subscription-started.js';
import { PayableAdjustedV1 } from '../ledger/payable-adjusted.js';
import { PeriodAdjustedV1 } from '../ledger/period-adjusted.js';
import { PeriodClosedV1 } from '../ledger/period-closed.js';
import { QuotaExceededV1 } from '../metering/quota-exceeded.js';
import { DeploymentStatusChangedV1 } from '../provisioner/deployment-status-changed.js';
import { QuotaWarningV1 } from '../metering/quota-warning.js';
import {
  PayoutFailedV1,
  PayoutReversedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
} from '../payouts/payout-events.js';

/** The organization a provider or operator payee is; a member payee is a person, not an organization. */
const payeeOrganization = (data: { payee: string }): readonly string[] =>
  data.payee.startsWith('member:') ? [] : [data.payee.slice(data.payee.indexOf(':') + 1)];

/**
 * Who may receive an event by webhook: `everyone` (public facts), `admins` only (platform-wide facts about
 * subscribers), or the `organization`s the event concerns (and admins).
 */
export type WebhookAudience<Data> =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'admins' }
  | { readonly kind: 'organization'; readonly organizationsOf: (data: Data) => readonly string[] };

export type WebhookAudienceKind = WebhookAudience<unknown>['kind'];

/** An event partners may subscribe to, and its audience. */
export interface DeliverableEvent {
  readonly contract: EventContract<unknown>;
  readonly audience: WebhookAudience<unknown>;
}

function deliverable<Data>(contract: EventContract<Data>, audience: WebhookAudience<Data>): DeliverableEvent {
  return { contract: contract as EventContract<unknown>, audience: audience as WebhookAudience<unknown> };
}

const everyone = { kind: 'everyone' } as const;
const admins = { kind: 'admins' } as const;
const concerning = <Data>(organizationsOf: (data: Data) => readonly string[]): WebhookAudience<Data> => ({
  kind: 'organization',
  organizationsOf,
});

/**
 * The events the webhooks service delivers (each the newest version of its event). An event becomes
 * deliverable by a line here, with its audience: the service subscribes to it and lists it at
 * `GET /api/webhooks/v1/event-types`. Usage events are left out: they are a stream, read through metering.
 */
export const WEBHOOK_DELIVERABLE_EVENTS: readonly DeliverableEvent[] = [
  deliverable(AppRegisteredV1, everyone),
  deliverable(ProjectCreatedV1, everyone),
  deliverable(ProjectDependenciesSetV1, everyone),
  deliverable(ServiceTypeDefinedV1, everyone),
  deliverable(MeterDefinedV2, everyone),
  deliverable(PeriodClosedV1, everyone),
  // Notice of a cut (docs/trust-rules.md): terms are public, and catalog does not know which providers host a service, so
  // anyone may subscribe (a provider filters by the services it hosts); the operator's and project's own.
  deliverable(ServiceTermsScheduledV1, everyone),
  deliverable(AgreementTermsScheduledV1, everyone),
  deliverable(
    DeploymentStatusChangedV1,
    concerning((data) => [data.operatorId, data.providerId]),
  ),
  deliverable(
    ServiceCreatedV1,
    concerning((data) => [data.operatorId]),
  ),
  deliverable(
    ServiceUpdatedV1,
    concerning((data) => [data.operatorId]),
  ),
  deliverable(
    AgreementMadeV1,
    concerning((data) => [data.operatorId]),
  ),
  deliverable(
    AgreementUpdatedV1,
    concerning((data) => [data.operatorId]),
  ),
  deliverable(
    OrganizationCreatedV1,
    concerning((data) => [data.organizationId]),
  ),
  deliverable(
    ApiKeyCreatedV1,
    concerning((data) => [data.organizationId]),
  ),
  deliverable(
    ApiKeyRevokedV1,
    concerning((data) => [data.organizationId]),
  ),
  deliverable(SubscriptionStartedV1, admins),
  deliverable(SubscriptionRenewedV1, admins),
  deliverable(SubscriptionPastDueV1, admins),
  deliverable(SubscriptionCancelledV1, admins),
  deliverable(SubscriptionEndedV1, admins),
  // The operator of an app a subscriber signed in to (and granted `plan`) learns that subscriber's plan changes.
  deliverable(
    AppUserPlanChangedV1,
    concerning((data) => [data.organizationId]),
  ),
  deliverable(PaymentCapturedV1, admins),
  // Its reason and who asked are the platform's; the adjusted root is public at GET …/periods/{period}.
  deliverable(PeriodAdjustedV1, admins),
  deliverable(PayableAdjustedV1, concerning(payeeOrganization)),
  deliverable(PayoutScheduledV1, concerning(payeeOrganization)),
  deliverable(PayoutSucceededV1, concerning(payeeOrganization)),
  deliverable(PayoutFailedV1, concerning(payeeOrganization)),
  deliverable(PayoutReversedV1, concerning(payeeOrganization)),
  deliverable(QuotaWarningV1, admins),
  deliverable(QuotaExceededV1, admins),
];
