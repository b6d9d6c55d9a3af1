import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/** Names of the security schemes every service's document declares. */
export const ACCESS_TOKEN_SECURITY = 'accessToken';
export const API_KEY_SECURITY = 'apiKey';

/** The component every documented error response points at. */
export const ERROR_SCHEMA_NAME = 'Error';
export const ERROR_SCHEMA_REF = `#/components/schemas/${ERROR_SCHEMA_NAME}`;

const errorBodyOf = (code: z.ZodType<string>) =>
  z
    .strictObject({
      error: z.strictObject({
        code: code.meta({ description: 'Stable, machine-readable', examples: ['validation_failed'] }),
        message: z.string().meta({ description: 'For people; may change' }),
        field: z
          .string()
          .optional()
          .meta({ description: 'The failing input field, dotted', examples: ['email'] }),
        details: z
          .record(z.string(), z.unknown())
          .optional()
          .meta({ description: 'Machine-readable facts of the refusal (e.g. how far behind)' }),
        requestId: z.string().optional().meta({ description: 'Quote it when reporting a problem' }),
      }),
    })
    .meta({ description: 'The error shape of every OneCommons API' });

/** What ApiExceptionFilter sends for every error, as a schema (tests check responses against it). */
export const errorBodySchema = errorBodyOf(z.string());

/** The error shape as one service documents it: `code` is one of the codes that service may answer. */
export const serviceErrorBodySchema = (codes: readonly string[]) => errorBodyOf(z.enum(codes));

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed or fails validation (`validation_failed` names the `field`).',
  401: 'Credentials are missing, invalid or expired.',
  403: 'The credentials are valid but do not allow this.',
  404: 'Nothing exists at this path.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is too large.',
  415: 'The request body is not JSON.',
  422: 'The request is well-formed but cannot be processed.',
  429: 'Too many requests (`rate_limited`); retry after `Retry-After` seconds.',
};

/** Documents error responses of an endpoint, all in the platform's error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? 'An error.',
        content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
        ...(status === 429
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds until a request can succeed again.',
                  schema: { type: 'integer', minimum: 1 },
                },
              },
            }
          : {}),
      }),
    ),
  );
}

/** Documents that an endpoint takes an access token (`Authorization: Bearer <JWT>`). */
export function ApiAccessToken(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(ACCESS_TOKEN_SECURITY), ApiErrors(401));
}

/** Documents that an endpoint takes an API key (`Authorization: Bearer ock_…`). */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(API_KEY_SECURITY), ApiErrors(401));
}
