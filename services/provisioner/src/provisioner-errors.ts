import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Every code of the provisioner's own refusals (listed in its OpenAPI document). */
export const PROVISIONER_ERROR_CODES = [
  'already_deployed',
  'bare_server',
  'base_url_not_allowed',
  'capacity_exhausted',
  'deployment_deleted',
  'deployment_not_found',
  'name_taken',
  'provider_account_not_found',
  'service_not_active',
  'service_not_found',
  'unknown_provider_account',
  'unknown_region',
  'unknown_size',
] as const;
export type ProvisionerErrorCode = (typeof PROVISIONER_ERROR_CODES)[number];

/** A refusal of the provisioner's rules: an unknown account, region or size, a deployment that may not change. */
export class ProvisionerError extends DomainError<ProvisionerErrorCode | SharedErrorCode> {}
