/**
 * An error a client can act on: an HTTP status, a stable machine-readable code and, for bad input, the
 * failing field. Rendered by ApiExceptionFilter as `{"error": {"code", "message", "field"?, "requestId"}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** A retryable refusal (e.g. a fact that has not arrived yet): sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
    /** Machine-readable facts of the refusal a client can act on (e.g. how far behind), sent as `details`. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(code: string, message: string, field?: string): ApiError {
    return new ApiError(400, code, message, field);
  }

  static unauthorized(message = 'Authentication required.'): ApiError {
    return new ApiError(401, 'unauthorized', message);
  }

  static forbidden(message = 'Not allowed.'): ApiError {
    return new ApiError(403, 'forbidden', message);
  }

  static notFound(code: string, message: string): ApiError {
    return new ApiError(404, code, message);
  }

  static conflict(code: string, message: string, field?: string): ApiError {
    return new ApiError(409, code, message, field);
  }
}
