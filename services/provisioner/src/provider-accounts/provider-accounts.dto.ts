import { z } from 'zod';
import { PROVIDER_APIS, type ProviderApiKind } from '../providers/provider-api.js';

const slug = (what: string) =>
  z
    .string({ error: `must be a ${what}` })
    .min(1)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: `must be a ${what} slug (lower-case letters, digits, . _ -)` });

export const sizeSchema = z.strictObject({
  name: slug('size'),
  vcpus: z.number({ error: 'must be a number' }).int().min(1).max(1_024),
  memoryMb: z.number({ error: 'must be a number' }).int().min(128).max(16_777_216),
  diskGb: z.number({ error: 'must be a number' }).int().min(0).max(1_000_000),
  /** What the provider asks per month, in minor units of the account's currency. */
  monthlyPriceMinor: z.number({ error: 'must be a number' }).int().min(0).max(100_000_000),
});
export type SizeDto = z.output<typeof sizeSchema>;

export const registerProviderAccountSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).trim().min(1).max(100),
  api: z.enum(PROVIDER_APIS, { error: `must be one of ${PROVIDER_APIS.join(', ')}` }),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500),
  /** The API token; stored sealed and never shown again. */
  token: z.string({ error: 'must be a string' }).min(8).max(500),
  /** The OS image every server is created from (provider's slug, e.g. debian-12). */
  image: slug('image'),
  regions: z.array(slug('region')).min(1).max(100),
  sizes: z
    .array(sizeSchema)
    .min(1)
    .max(200)
    .refine((sizes) => new Set(sizes.map((size) => size.name)).size === sizes.length, {
      error: 'size names must be unique',
    }),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code, e.g. EUR' }),
  /** How many servers OneCommons may run on this account at once. */
  maxServers: z.number({ error: 'must be a number' }).int().min(0).max(100_000),
});
export type RegisterProviderAccountDto = z.output<typeof registerProviderAccountSchema>;

/** A provider account as the API shows it: never its credentials. */
export interface ProviderAccountDto {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly api: ProviderApiKind;
  readonly baseUrl: string;
  readonly image: string;
  readonly regions: readonly string[];
  readonly sizes: readonly SizeDto[];
  readonly currency: string;
  readonly maxServers: number;
  /** Deployments on it that are not Absent. */
  readonly serversInUse: number;
  readonly createdAt: string;
}
