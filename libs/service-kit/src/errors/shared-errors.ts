import { DomainError } from './domain-error.js';

/**
 * Codes any service may answer: from service-kit's pipes and rate limits, and from ApiExceptionFilter for what
 * reaches it without a domain error (body-parser failures, Nest's own HTTP exceptions, a lost database).
 */
export const SHARED_ERROR_CODES = [
  'validation_failed',
  'invalid_json',
  'invalid_cursor',
  'request_aborted',
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unsupported_encoding',
  'unsupported_charset',
  'unprocessable_entity',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  'error',
] as const;
export type SharedErrorCode = (typeof SHARED_ERROR_CODES)[number];

/** A refusal with a shared code, thrown by service-kit itself. */
export class SharedError extends DomainError<SharedErrorCode> {}
