import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from 'eslint';

/**
 * Which workspace packages a file may import, by the tags in each package's package.json (`"tags"`): services
 * import libs, never another service; pure libs import pure libs and no I/O packages; production code of shared
 * libs never pulls in the test harness. The rules are the config's `constraints`, e.g.
 * `{ sourceTag: 'type:service', onlyTags: ['type:lib'] }`.
 */
export interface Constraint {
  readonly sourceTag: string;
  /** The imported package must have one of these tags. */
  readonly onlyTags?: readonly string[];
  /** The imported package must have none of these tags. */
  readonly notTags?: readonly string[];
  /** Packages from npm the file may not import (`name` or `scope/*`). */
  readonly bannedPackages?: readonly string[];
}

export interface BoundaryOptions {
  readonly constraints: readonly Constraint[];
  /** Tests may boot another service by its definition (`@onecommons/<service>/definition`), nothing else of it. */
  readonly allowServiceDefinitions?: boolean;
}

interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly tags: readonly string[];
}

/** The workspace's packages under `root`, from the root package.json's `workspaces` (`folder/*` globs). */
export function workspacePackages(root: string): WorkspacePackage[] {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return workspaces.flatMap((pattern) => {
    const parent = path.join(root, pattern.replace(/\/\*$/, ''));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(parent, entry.name, 'package.json')))
      .map((entry) => {
        const dir = path.join(parent, entry.name);
        const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
          name: string;
          tags?: string[];
        };
        return { name: manifest.name, dir, tags: manifest.tags ?? [] };
      });
  });
}

/** `@scope/name` or `name`, without a subpath. */
const packageNameOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Why importing `target` from a package with `tags` breaks a constraint; undefined when it does not. */
export function violation(
  tags: readonly string[],
  target: WorkspacePackage,
  constraints: readonly Constraint[],
): string | undefined {
  for (const constraint of constraints.filter((each) => tags.includes(each.sourceTag))) {
    if (constraint.onlyTags && !constraint.onlyTags.some((tag) => target.tags.includes(tag)))
      return `a ${constraint.sourceTag} package may import only ${constraint.onlyTags.join(' or ')} packages, not ${target.name}`;
    const forbidden = constraint.notTags?.find((tag) => target.tags.includes(tag));
    if (forbidden)
      return `a ${constraint.sourceTag} package may not import a ${forbidden} package (${target.name})`;
  }
  return undefined;
}

function bannedPackage(name: string, tags: readonly string[], constraints: readonly Constraint[]) {
  for (const constraint of constraints.filter((each) => tags.includes(each.sourceTag)))
    for (const banned of constraint.bannedPackages ?? [])
      if (banned === name || (banned.endsWith('/*') && name.startsWith(banned.slice(0, -1))))
        return `a ${constraint.sourceTag} package may not import ${name} (I/O, framework or clock)`;
  return undefined;
}

export function moduleBoundaries(root: string): Rule.RuleModule {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const packageOfFile = (file: string) =>
    packages.find((pkg) => file === pkg.dir || file.startsWith(pkg.dir + path.sep));
  return {
    meta: {
      type: 'problem',
      docs: { description: 'imports respect the packages’ tags (services import libs, never one another)' },
      schema: [{ type: 'object', additionalProperties: true }],
    },
    create(context) {
      const options = (context.options[0] ?? { constraints: [] }) as BoundaryOptions;
      const own = packageOfFile(context.filename);
      if (!own) return {};
      const check = (node: Rule.Node, specifier: unknown) => {
        if (typeof specifier !== 'string') return;
        const message = problemOf(specifier);
        if (message) context.report({ node, message });
      };
      const problemOf = (specifier: string): string | undefined => {
        if (specifier.startsWith('.')) {
          const target = packageOfFile(path.resolve(path.dirname(context.filename), specifier));
          return target && target !== own
            ? `import ${target.name} by its package name, not by a relative path into it`
            : undefined;
        }
        const name = packageNameOf(specifier);
        const target = byName.get(name);
        if (!target) return bannedPackage(name, own.tags, options.constraints);
        if (target === own) return undefined;
        const entry = specifier.slice(name.length);
        if (
          entry === '/definition' &&
          options.allowServiceDefinitions &&
          target.tags.includes('type:service')
        )
          return undefined;
        if (entry !== '') return `import ${name} by its entry point, not ${specifier}`;
        return violation(own.tags, target, options.constraints);
      };
      return {
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      };
    },
  };
}
