import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { DomainError, type DomainErrorKind } from '../errors/domain-error.js';
import { type SharedErrorCode } from '../errors/shared-errors.js';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly requestId?: string;
  };
}

/** The one place a domain error's kind becomes an HTTP status. */
const STATUS_OF_KIND: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_format: 415,
  rate_limited: 429,
  upstream_failed: 502,
  unavailable: 503,
};

const STATUS_CODES: Record<number, SharedErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'rate_limited',
};

/** Body-parser failures arrive as plain errors with a `type`; they are the client's fault, not ours. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: SharedErrorCode; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'invalid_json',
    message: 'The request body is not valid JSON.',
  },
  'entity.too.large': { status: 413, code: 'payload_too_large', message: 'The request body is too large.' },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_encoding',
    message: 'Unsupported content encoding.',
  },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'Unsupported charset.' },
  'request.aborted': { status: 400, code: 'request_aborted', message: 'The request was aborted.' },
};

/**
 * The database went away under the request (a restart, a failover): the client may retry, so this is a 503
 * like any unavailable dependency, not a 500. Postgres' class 08 (connection exception), 57P01-57P03 (shutdown,
 * cannot connect now), and node-postgres' own broken-connection errors.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  for (const candidate of [exception, (exception as { driverError?: unknown } | null)?.driverError]) {
    const { code, message } = (candidate ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === 'ECONNREFUSED'))
      return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|Client has encountered a connection error|connect ECONNREFUSED/.test(message)
    )
      return true;
  }
  return false;
}

/** Every error leaves a service as the same JSON shape; unexpected ones say nothing about internals. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    // nestjs-pino logs an object first argument as fields: `err` keeps the message and stack in the log.
    if (exception instanceof DomainError && status >= 500)
      this.logger.warn(`${exception.code} on ${request.method} ${request.url}: ${exception.message}`);
    else if (status === 503)
      this.logger.warn(`database unavailable on ${request.method} ${request.url}: ${String(exception)}`);
    else if (status >= 500)
      this.logger.error({ err: exception }, `unhandled error on ${request.method} ${request.url}`);
    const requestId = typeof request.id === 'string' ? request.id : undefined;
    if (response.headersSent) return;
    if (status === 503) response.setHeader('retry-after', '1');
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined)
      response.setHeader('retry-after', String(exception.retryAfterSeconds));
    response.status(status).json({ error: { ...body, ...(requestId ? { requestId } : {}) } });
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody['error'] } {
    if (exception instanceof DomainError) {
      return {
        status: STATUS_OF_KIND[exception.kind],
        body: {
          code: exception.code,
          message: exception.message,
          ...(exception.field === undefined ? {} : { field: exception.field }),
          ...(exception.details === undefined ? {} : { details: exception.details }),
        },
      };
    }
    const parserError = BODY_PARSER_ERRORS[bodyParserErrorType(exception) ?? ''];
    if (parserError) {
      const { status, code, message } = parserError;
      return { status, body: { code, message } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
      const message = status >= 500 ? 'Internal error.' : exception.message;
      return { status, body: { code, message } };
    }
    if (isDatabaseUnavailable(exception))
      return {
        status: 503,
        body: { code: 'service_unavailable', message: 'Temporarily unavailable; retry.' },
      };
    return { status: 500, body: { code: 'internal_error', message: 'Internal error.' } };
  }
}

/** Nest wraps body-parser errors in an HttpException whose cause keeps body-parser's `type`. */
function bodyParserErrorType(exception: unknown): string | undefined {
  for (const candidate of [exception, (exception as { cause?: unknown } | null)?.cause]) {
    const type = (candidate as { type?: unknown } | null)?.type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}
