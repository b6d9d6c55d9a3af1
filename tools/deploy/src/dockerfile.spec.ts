import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES } from '@onecommons/contracts';
import { parse } from 'yaml';

// No Docker engine here: the Dockerfile is checked as text for the rules docker build cannot tell us.

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
function instructionsOf(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Every workspace folder (the root package.json's `workspaces` globs, one level of `*`). */
function workspaceFolders(): string[] {
  const { workspaces } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return workspaces.flatMap((pattern) => {
    const parent = pattern.replace(/\/\*$/, '');
    return readdirSync(path.join(REPO_ROOT, parent), { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && existsSync(path.join(REPO_ROOT, parent, entry.name, 'package.json')),
      )
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const instructions = instructionsOf(dockerfile);
const indexOf = (predicate: (instruction: Instruction) => boolean) => instructions.findIndex(predicate);
const copiedSources = (instruction: Instruction) =>
  instruction.args
    .split(/\s+/)
    .filter((arg) => !arg.startsWith('--'))
    .slice(0, -1);

describe('Dockerfile', () => {
  const install = indexOf((each) => each.keyword === 'RUN' && /\bnpm (install|ci)\b/.test(each.args));
  const firstSourceCopy = indexOf(
    (each) => each.keyword === 'COPY' && copiedSources(each).some((source) => source.endsWith('/')),
  );

  it('builds one service chosen by ARG SERVICE, in a build stage and a runtime stage', () => {
    expect(instructions.filter((each) => each.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(instructions).toContainEqual({ keyword: 'ARG', args: 'SERVICE' });
    expect(instructions.at(-1)).toEqual({
      keyword: 'CMD',
      args: '["node", "--disable-warning=TimeoutNegativeWarning", "service/main.js"]',
    });
  });

  it('copies the package manifests of the root and every workspace before any source, then installs', () => {
    const manifestCopies = instructions
      .slice(0, install)
      .filter((each) => each.keyword === 'COPY')
      .flatMap(copiedSources);
    const wanted = [
      'package.json',
      'package-lock.json',
      ...workspaceFolders().map((folder) => `${folder}/package.json`),
    ];

    expect(install).toBeGreaterThan(0);
    expect(firstSourceCopy).toBeGreaterThan(install);
    expect(manifestCopies.sort()).toEqual(wanted.sort());
  });

  it('is the only Dockerfile: the local fakes are its `fake` target, chosen by ARG FAKE', () => {
    const dockerfiles = workspaceFolders().filter((folder) =>
      existsSync(path.join(REPO_ROOT, folder, 'Dockerfile')),
    );

    expect(dockerfiles).toEqual([]);
    expect(instructions).toContainEqual({ keyword: 'FROM', args: 'node:24-bookworm-slim AS fake' });
    expect(instructions).toContainEqual({ keyword: 'ARG', args: 'FAKE' });
  });

  it('runs as a non-root user given by uid (runAsNonRoot can check a number, not a name)', () => {
    const users = instructions.filter((each) => each.keyword === 'USER').map((each) => each.args);

    expect(users.at(-1)).toMatch(/^[1-9]\d*(:\d+)?$/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      { build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> } }
    >;
  };

  it.each(SERVICE_NAMES.flatMap((service) => [service, `${service}-migrate`]))(
    '%s is built from the one Dockerfile with its service name',
    (name) => {
      const service = name.replace(/-migrate$/, '');

      expect(compose.services[name]?.build).toEqual({ context: '.', args: { SERVICE: service } });
    },
  );

  it.each(['fake-stripe', 'fake-clouds'])('%s is built from the one Dockerfile’s fake target', (fake) => {
    expect(compose.services[fake]?.build).toMatchObject({
      context: '.',
      target: 'fake',
      args: { FAKE: fake },
    });
  });
});
