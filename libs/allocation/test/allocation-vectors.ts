import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One shared allocation vector: an input and the exact output `commons allocate` must print for it. */
export interface AllocationVector {
  readonly name: string;
  readonly inputFile: string;
  readonly input: unknown;
  readonly expected: unknown;
}

/**
 * The shared vectors live in `shared/vectors/allocation` beside the repository root (the folder with `tsconfig.base.json`);
 * `ALLOCATION_VECTORS_DIR` points elsewhere.
 */
export function allocationVectorsDir(): string {
  const override = process.env['ALLOCATION_VECTORS_DIR'];
  if (override !== undefined && override !== '') return path.resolve(override);
  return path.resolve(repositoryRoot(import.meta.dirname), '..', 'shared', 'vectors', 'allocation');
}

export function loadAllocationVectors(): readonly AllocationVector[] {
  const dir = allocationVectorsDir();
  const names = readdirSync(dir)
    .filter((file) => file.endsWith('.input.json'))
    .map((file) => file.slice(0, -'.input.json'.length))
    .sort();
  if (names.length === 0) throw new Error(`no allocation vectors in ${dir}`);
  return names.map((name) => {
    const inputFile = path.join(dir, `${name}.input.json`);
    return {
      name,
      inputFile,
      input: JSON.parse(readFileSync(inputFile, 'utf8')) as unknown,
      expected: JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as unknown,
    };
  });
}

function repositoryRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'tsconfig.base.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no tsconfig.base.json above ${start}`);
  }
}
