import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';
import { TARGET_REFUSAL_CODES } from './targets/target-guard.js';

/** Every code of the webhooks service's own refusals (listed in its OpenAPI document). */
export const WEBHOOKS_ERROR_CODES = [
  ...TARGET_REFUSAL_CODES,
  'attempt_in_progress',
  'delivery_not_found',
  'endpoint_disabled',
  'endpoint_not_found',
  'event_type_not_allowed',
  'limit_reached',
  'unknown_event_type',
] as const;
export type WebhooksErrorCode = (typeof WEBHOOKS_ERROR_CODES)[number];

/** A refusal of the webhooks service's rules: an endpoint, target or delivery it will not accept or change. */
export class WebhooksError extends DomainError<WebhooksErrorCode | SharedErrorCode> {}
