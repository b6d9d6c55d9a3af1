import { AppRegisteredV1 } from './catalog/app-registered.js';
import { ProjectCreatedV1 } from './catalog/project-created.js';
import { ContractVersionPublishedV1 } from './catalog/contract-version-published.js';
import { ProjectDependenciesSetV1 } from './catalog/project-dependencies-set.js';
import { ServiceTypeDefinedV1 } from './catalog/service-type-defined.js';
import { MeterDefinedV1, MeterDefinedV2 } from './catalog/meter-defined.js';
import { ServiceCreatedV1 } from './catalog/service-created.js';
import { ServiceUpdatedV1 } from './catalog/service-updated.js';
import { AgreementMadeV1 } from './catalog/agreement-made.js';
import { AgreementUpdatedV1 } from './catalog/agreement-updated.js';
import { AgreementTermsScheduledV1, ServiceTermsScheduledV1 } from './catalog/terms-scheduled.js';
import { QuotaExceededV1 } from './metering/quota-exceeded.js';
import { QuotaWarningV1 } from './metering/quota-warning.js';
import { UsageCorrectedV1 } from './metering/usage-corrected.js';
import { UsageRecordedV1, UsageRecordedV2 } from './metering/usage-recorded.js';
import { UsagePeriodSealedV1 } from './metering/usage-period-sealed.js';
import { ClosedPeriodUsageCorrectedV1 } from './metering/closed-period-usage-corrected.js';
import { DeploymentStatusChangedV1 } from './provisioner/deployment-status-changed.js';
import { ResourceUsageReportedV1 } from './provisioner/resource-usage-reported.js';
import { PeriodClosedV1 } from './ledger/period-closed.js';
import { PeriodCloseRequestedV1 } from './ledger/period-close-requested.js';
import { EscrowReleasedV1 } from './ledger/escrow-released.js';
import { TokensRedeemedV1 } from './ledger/tokens-redeemed.js';
import { PeriodAdjustedV1 } from './ledger/period-adjusted.js';
import { PayableAdjustedV1 } from './ledger/payable-adjusted.js';
import { PayeePreferencesChangedV1 } from './payouts/payee-preferences-changed.js';
import {
  PayoutFailedV1,
  PayoutReversedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
} from './payouts/payout-events.js';
import { EventCatalogue } from './envelope/event-catalogue.js';
import { type EventContract } from './envelope/event-contract.js';
import {
  ApiKeyCreatedV1,
  ApiKeyRevokedV1,
  OrganizationCreatedV1,
  RoleGrantedV1,
  RoleRevokedV1,
} from './identity/organizations.js';
import { SubscriberRegisteredV1, SubscriberRegisteredV2 } from './identity/subscriber-registered.js';
import { PaymentCapturedV1 } from './identity/payment-captured.js';
import {
  PaymentDisputeFundsReinstatedV1,
  PaymentDisputeFundsWithdrawnV1,
  PaymentRefundedV1,
} from './identity/payment-reversals.js';
import { SubscriptionCancelledV1 } from './identity/subscription-cancelled.js';
import { SubscriptionEndedV1 } from './identity/subscription-ended.js';
import { AppUserPlanChangedV1 } from './identity/app-user-plan-changed.js';
import { SubscriptionPastDueV1 } from './identity/subscription-past-due.js';
import { SubscriptionRenewedV1 } from './identity/subscription-renewed.js';
import { SubscriptionStartedV1 } from './identity/subscription-started.js';

/** Every event contract of the platform, old versions included so their messages stay readable. */
export const ALL_EVENT_CONTRACTS: readonly EventContract<unknown>[] = [
  SubscriberRegisteredV1,
  SubscriberRegisteredV2,
  OrganizationCreatedV1,
  RoleGrantedV1,
  RoleRevokedV1,
  ApiKeyCreatedV1,
  ApiKeyRevokedV1,
  SubscriptionStartedV1,
  SubscriptionRenewedV1,
  SubscriptionPastDueV1,
  SubscriptionCancelledV1,
  SubscriptionEndedV1,
  AppUserPlanChangedV1,
  PaymentCapturedV1,
  PaymentRefundedV1,
  PaymentDisputeFundsWithdrawnV1,
  PaymentDisputeFundsReinstatedV1,
  AppRegisteredV1,
  ProjectCreatedV1,
  ContractVersionPublishedV1,
  ProjectDependenciesSetV1,
  ServiceTypeDefinedV1,
  MeterDefinedV1,
  MeterDefinedV2,
  ServiceCreatedV1,
  ServiceUpdatedV1,
  AgreementMadeV1,
  AgreementUpdatedV1,
  ServiceTermsScheduledV1,
  AgreementTermsScheduledV1,
  UsageRecordedV1,
  UsageRecordedV2,
  UsageCorrectedV1,
  UsagePeriodSealedV1,
  ClosedPeriodUsageCorrectedV1,
  QuotaWarningV1,
  QuotaExceededV1,
  DeploymentStatusChangedV1,
  ResourceUsageReportedV1,
  PeriodCloseRequestedV1,
  PeriodClosedV1,
  TokensRedeemedV1,
  EscrowReleasedV1,
  PeriodAdjustedV1,
  PayableAdjustedV1,
  PayeePreferencesChangedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
  PayoutFailedV1,
  PayoutReversedV1,
];

export const eventCatalogue = new EventCatalogue(ALL_EVENT_CONTRACTS);
