import { z } from 'zod';

const urlSchema = z
  .string({ error: 'must be a URL' })
  .trim()
  .min(1, { error: 'must be a URL' })
  .max(2_048, { error: 'must be at most 2048 characters' });

const eventTypesSchema = z
  .array(z.string({ error: 'must be an event type' }).max(200), { error: 'must be a list of event types' })
  .min(1, { error: 'must name at least one event type' })
  .max(100, { error: 'must name at most 100 event types' })
  .transform((types) => [...new Set(types)].sort());

const descriptionSchema = z.string({ error: 'must be a string' }).trim().max(500);

export const createEndpointSchema = z.strictObject({
  url: urlSchema,
  eventTypes: eventTypesSchema,
  description: descriptionSchema.default(''),
});
export type CreateEndpointDto = z.output<typeof createEndpointSchema>;

export const updateEndpointSchema = z
  .strictObject({
    url: urlSchema.optional(),
    eventTypes: eventTypesSchema.optional(),
    description: descriptionSchema.optional(),
    /** false disables the endpoint (nothing is delivered); true enables it again, e.g. after a 410. */
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .refine((input) => Object.keys(input).length > 0, { error: 'must change something' });
export type UpdateEndpointDto = z.output<typeof updateEndpointSchema>;

export interface EndpointDto {
  readonly id: string;
  /** null: the platform's endpoint (made by an admin). */
  readonly organizationId: string | null;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  /** `manual` (disabled by its owner) or `gone` (the receiver answered 410); null while enabled. */
  readonly disabledReason: 'manual' | 'gone' | null;
  /** Until then the previous secret still signs beside the current one; null without a rotation in grace. */
  readonly previousSecretExpiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The answer to a registration or a rotation: the only time the secret is shown. */
export type EndpointWithSecretDto = EndpointDto & { readonly secret: string };
