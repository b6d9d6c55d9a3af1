import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Every code of the catalog's own refusals (listed in its OpenAPI document). */
export const CATALOG_ERROR_CODES = [
  'agreement_not_found',
  'app_name_taken',
  'app_not_found',
  'domain_taken',
  'implausible_bound',
  'no_contract',
  'operator_runs_no_service_of_project',
  'period_before_latest_version',
  'period_in_past',
  'project_name_taken',
  'project_not_found',
  'self_dependency',
  'service_not_found',
  'service_retired',
  'unknown_account',
  'unknown_app',
  'unknown_project',
  'unknown_service_type',
] as const;
export type CatalogErrorCode = (typeof CATALOG_ERROR_CODES)[number];

/** A refusal of catalog's rules: an unknown or taken name, a period or term that may not change. */
export class CatalogError extends DomainError<CatalogErrorCode | SharedErrorCode> {}
