import { API_KEY_SCOPES, type ApiKeyScope, SERVICE_BOUND_SCOPES } from '@onecommons/auth';
import { z } from 'zod';

export const createApiKeySchema = z
  .strictObject({
    name: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(100, { error: 'must be at most 100 characters' }),
    scopes: z
      .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(', ')}` }))
      .min(1, { error: 'must name at least one scope' })
      .max(API_KEY_SCOPES.length)
      .refine((scopes) => new Set(scopes).size === scopes.length, { error: 'must not repeat a scope' }),
    serviceId: z.uuid({ error: 'must be a service id (UUID)' }).optional(),
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
      .refine((value) => Date.parse(value) > Date.now(), { error: 'must be in the future' })
      .optional(),
  })
  .superRefine((input, context) => {
    const bound = input.scopes.some((scope) => SERVICE_BOUND_SCOPES.includes(scope));
    if (bound && input.serviceId === undefined)
      context.addIssue({
        code: 'custom',
        path: ['serviceId'],
        message: 'is required for a service-bound scope',
      });
    if (!bound && input.serviceId !== undefined)
      context.addIssue({ code: 'custom', path: ['serviceId'], message: 'is only for service-bound scopes' });
  });
export type CreateApiKeyDto = z.output<typeof createApiKeySchema>;

export const introspectSchema = z.strictObject({ key: z.string({ error: 'must be a string' }).max(200) });

export interface ApiKeyDto {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  /** The key's first characters, to tell keys apart; the key itself is shown only once. */
  readonly displayPrefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly serviceId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** The answer to creation: the only time the key is ever shown. */
export interface CreatedApiKeyDto extends ApiKeyDto {
  readonly key: string;
}
