import { type AuthErrorCode } from '@onecommons/auth';
import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Every code of identity's own refusals (listed in its OpenAPI document). */
export const IDENTITY_ERROR_CODES = [
  'account_not_found',
  'admin_exists',
  'admin_not_found',
  'already_a_member',
  'api_key_not_found',
  'billing_unavailable',
  'bootstrap_disabled',
  'currency_not_offered',
  'current_password_incorrect',
  'email_already_verified',
  'email_unavailable',
  'idempotency_key_reused',
  'invalid_bootstrap_token',
  'invalid_credentials',
  'invalid_refresh_token',
  'invalid_reset_token',
  'invalid_signature',
  'invalid_verification_token',
  'invitation_not_found',
  'last_admin',
  'last_owner',
  'limit_reached',
  'member_not_found',
  'oidc_client_not_found',
  'organization_name_taken',
  'organization_not_found',
  'payment_declined',
  'payment_disputed',
  'payment_method_invalid',
  'payment_not_found',
  'payment_not_recorded_yet',
  'payment_not_refundable',
  'payment_provider_error',
  'plan_not_subscribable',
  'refund_exceeds_payment',
  'scope_not_allowed',
  'service_not_active',
  'service_not_known_yet',
  'service_not_operated',
  'subscription_active',
  'subscription_exists',
  'subscription_not_found',
  'subscription_pending',
] as const;
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];

/**
 * A refusal of identity's rules. Identity issues the credentials the access policy checks, so it may also refuse
 * with the policy's codes (a token whose account is gone is `invalid_token`, as at the guard).
 */
export class IdentityError extends DomainError<IdentityErrorCode | AuthErrorCode | SharedErrorCode> {}
