import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Which services handle which event contract, read from their sources: every `@OnEvent(SomeContractV1)` and
 * `@OnEventBatch(SomeContractV1)` under `services/<name>/src`. Read as text, not imported (the CLI depends on
 * libs only). Returns the contract's exported name → the services handling it, sorted.
 */
export function eventHandlersByContract(repositoryRoot: string): Map<string, string[]> {
  const servicesDir = path.join(repositoryRoot, 'services');
  const handlers = new Map<string, Set<string>>();
  const services = existsSync(servicesDir)
    ? readdirSync(servicesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())
    : [];
  for (const service of services) {
    const src = path.join(servicesDir, service.name, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      for (const match of readFileSync(file, 'utf8').matchAll(
        /@OnEvent(?:Batch)?\(\s*([A-Za-z_$][\w$]*)\s*\)/g,
      )) {
        const contract = match[1] as string;
        const set = handlers.get(contract) ?? new Set<string>();
        set.add(service.name);
        handlers.set(contract, set);
      }
    }
  }
  return new Map([...handlers].map(([contract, set]) => [contract, [...set].sort()]));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
