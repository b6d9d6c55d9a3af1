import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const OVERLAYS_DIR = 'deploy/kubernetes/overlays';

/** An object as `kubectl kustomize` renders it: plain data, read by path. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export function overlayNames(repoRoot: string): string[] {
  return readdirSync(path.join(repoRoot, OVERLAYS_DIR), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Renders an overlay with Debian's kubectl (./dev installs it for the unit tests, as the devstack does). */
export function renderOverlay(repoRoot: string, overlay: string): RenderedObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', path.join(repoRoot, OVERLAYS_DIR, overlay)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('kubectl is not installed: `./dev test unit` installs it (apt-get install kubectl)');
    }
    throw new Error(`kubectl kustomize ${overlay} failed:\n${failure.stderr ?? String(error)}`);
  }
  return parseAllDocuments(output)
    .map((document) => document.toJS() as RenderedObject | null)
    .filter((object): object is RenderedObject => object !== null);
}

export const ofKind = (objects: readonly RenderedObject[], kind: string) =>
  objects.filter((object) => object.kind === kind);

export function named(objects: readonly RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** A field by dotted path (`spec.template.spec`), or undefined. */
export function at<T = unknown>(object: unknown, dottedPath: string): T | undefined {
  let current: unknown = object;
  for (const key of dottedPath.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as T | undefined;
}
