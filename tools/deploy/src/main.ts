import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedManifests, staleManifests } from './generated-manifests.js';

/** tools/deploy/dist/src → the repository root. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `node tools/deploy/dist/src/main.js [--check]`: writes the generated manifests, or lists the stale ones. */
async function main(argv: readonly string[]): Promise<number> {
  const stale = await staleManifests(REPO_ROOT);
  if (argv.includes('--check')) {
    for (const file of stale) process.stderr.write(`stale: ${file}\n`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const manifest of await generatedManifests(REPO_ROOT)) {
    if (!stale.includes(manifest.path)) continue;
    mkdirSync(path.dirname(path.join(REPO_ROOT, manifest.path)), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, manifest.path), manifest.text);
    process.stdout.write(`wrote ${manifest.path}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
