import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';
import { REJECTION_CODES } from './ingest/usage-event.js';

/** Every code of metering's own refusals, a refused usage event's among them (listed in its OpenAPI document). */
export const METERING_ERROR_CODES = [
  ...REJECTION_CODES,
  'batch_too_large',
  'empty_batch',
  'invalid_batch',
  'not_a_user_of_service',
  'usage_archived',
] as const;
export type MeteringErrorCode = (typeof METERING_ERROR_CODES)[number];

/** A refusal of metering's rules: a usage event it does not count, a batch it does not read, usage it no longer keeps. */
export class MeteringError extends DomainError<MeteringErrorCode | SharedErrorCode> {}
