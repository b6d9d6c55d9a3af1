import { periodSchema } from '@onecommons/contracts';
import { z } from 'zod';
import { bpsInputSchema, positiveWeightSchema } from '../weights.js';

/** An npm package name (scoped or not), as projects publish them. */
const packageNameSchema = z
  .string()
  .regex(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/, { error: 'must be an npm package name' })
  .max(214);

export const createProjectSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }).max(100),
  description: z.string().max(2_000).default(''),
  /** Packages this project publishes: how manifests that depend on them find it. */
  packageNames: z
    .array(packageNameSchema)
    .max(100)
    .refine((names) => new Set(names).size === names.length, { error: 'must not repeat a package' })
    .default([]),
});
export type CreateProjectDto = z.output<typeof createProjectSchema>;

export const publishContractSchema = z.strictObject({
  /** First period the version is in force; defaults to the current period. */
  effectiveFrom: periodSchema.optional(),
  dependenciesBps: bpsInputSchema,
  members: z
    .array(
      z.strictObject({ account: z.uuid({ error: 'must be an account id' }), weight: positiveWeightSchema }),
    )
    .max(1_000)
    .refine((members) => new Set(members.map((member) => member.account)).size === members.length, {
      error: 'must not list an account twice',
    }),
});
export type PublishContractDto = z.output<typeof publishContractSchema>;

export const setDependenciesSchema = z.strictObject({
  dependencies: z
    .array(
      z.strictObject({ project: z.uuid({ error: 'must be a project id' }), weight: positiveWeightSchema }),
    )
    .max(1_000)
    .refine((list) => new Set(list.map((entry) => entry.project)).size === list.length, {
      error: 'must not list a project twice',
    }),
});
export type SetDependenciesDto = z.output<typeof setDependenciesSchema>;

export const importManifestSchema = z.strictObject({
  /** A package.json, as parsed JSON. */
  manifest: z.object({
    dependencies: z.record(z.string(), z.string()).optional(),
    peerDependencies: z.record(z.string(), z.string()).optional(),
    optionalDependencies: z.record(z.string(), z.string()).optional(),
    devDependencies: z.record(z.string(), z.string()).optional(),
  }),
  /** false: only report what the manifest would set. */
  apply: z.boolean().default(true),
});
export type ImportManifestDto = z.output<typeof importManifestSchema>;

export const contractQuerySchema = z.strictObject({ period: periodSchema.optional() });

export interface ContractVersionDto {
  readonly projectId: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly dependenciesBps: number;
  readonly members: readonly { readonly account: string; readonly weight: string }[];
  readonly publishedBy: string;
  readonly publishedAt: string;
}

export interface DependencyDto {
  readonly project: string;
  readonly weight: string;
}

export interface ProjectDto {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string;
  readonly packageNames: readonly string[];
  readonly createdAt: string;
}

export interface ManifestImportDto {
  readonly dependencies: readonly (DependencyDto & { readonly packages: readonly string[] })[];
  /** Packages no registered project publishes. */
  readonly unmatched: readonly string[];
  readonly applied: boolean;
}
