import { pageQuerySchema } from '@onecommons/service-kit';
import { z } from 'zod';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveryListQuerySchema = pageQuerySchema.extend({
  status: z.enum(DELIVERY_STATUSES, { error: `must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
});
export type DeliveryListQuery = z.output<typeof deliveryListQuerySchema>;

export interface DeliveryDto {
  readonly id: string;
  readonly endpointId: string;
  /** The `webhook-id` header of every attempt: receivers deduplicate on it. */
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AttemptDto {
  readonly number: number;
  readonly trigger: 'automatic' | 'manual';
  readonly outcome: 'succeeded' | 'failed' | 'refused';
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  /** The first KiB of the receiver's answer. */
  readonly responseExcerpt: string | null;
  readonly attemptedAt: string;
}

export type DeliveryDetailDto = DeliveryDto & { readonly attemptLog: readonly AttemptDto[] };
