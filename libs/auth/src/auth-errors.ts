import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Codes of the access policy's refusals, answered by every service that checks credentials. */
export const AUTH_ERROR_CODES = [
  'access_token_required',
  'api_key_required',
  'auth_unavailable',
  'insufficient_scope',
  'internal_credential_required',
  'invalid_api_key',
  'invalid_internal_credential',
  'invalid_token',
  'not_a_member',
  'unauthenticated',
  'wrong_organization_kind',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/** A request the access policy refuses: no or bad credentials, or credentials that do not allow it. */
export class AuthError extends DomainError<AuthErrorCode | SharedErrorCode> {}
