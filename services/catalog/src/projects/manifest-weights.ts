import { type ImportManifestDto } from './projects.dto.js';

/**
 * Default weights by how a manifest depends on a package: what runs in production counts most, what
 * only builds or tests it least.
 */
export const MANIFEST_SECTION_WEIGHTS = {
  dependencies: 3n,
  peerDependencies: 2n,
  optionalDependencies: 1n,
  devDependencies: 1n,
} as const;

/** Each package's weight: the heaviest section it appears in. */
export function packageWeights(manifest: ImportManifestDto['manifest']): Map<string, bigint> {
  const weights = new Map<string, bigint>();
  for (const [section, weight] of Object.entries(MANIFEST_SECTION_WEIGHTS)) {
    for (const name of Object.keys(manifest[section as keyof typeof MANIFEST_SECTION_WEIGHTS] ?? {})) {
      const current = weights.get(name) ?? 0n;
      if (weight > current) weights.set(name, weight);
    }
  }
  return weights;
}
