import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RuleTester } from 'eslint';
import { type BoundaryOptions, moduleBoundaries } from './module-boundaries.js';

/** A workspace of two services and three libs, as the repository's package.json files tag them. */
function fixtureWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
  const write = (file: string, content: unknown) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), JSON.stringify(content));
  };
  write('package.json', { workspaces: ['libs/*', 'services/*'] });
  write('libs/pure/package.json', { name: '@oc/pure', tags: ['type:lib', 'scope:pure'] });
  write('libs/shared/package.json', { name: '@oc/shared', tags: ['type:lib', 'scope:shared'] });
  write('libs/testing/package.json', { name: '@oc/testing', tags: ['type:lib', 'scope:testing'] });
  write('services/ledger/package.json', { name: '@oc/ledger', tags: ['type:service'] });
  write('services/payouts/package.json', { name: '@oc/payouts', tags: ['type:service'] });
  return root;
}

const root = fixtureWorkspace();
const production: BoundaryOptions = {
  constraints: [
    { sourceTag: 'type:service', onlyTags: ['type:lib'] },
    { sourceTag: 'type:lib', onlyTags: ['type:lib'] },
    { sourceTag: 'scope:pure', onlyTags: ['scope:pure'], bannedPackages: ['typeorm', '@nestjs/*'] },
    { sourceTag: 'scope:shared', notTags: ['scope:testing'] },
  ],
};
const tests: BoundaryOptions = { ...production, allowServiceDefinitions: true };
const at = (file: string) => path.join(root, file);

new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } }).run(
  'module-boundaries',
  moduleBoundaries(root),
  {
    valid: [
      {
        filename: at('services/payouts/src/a.ts'),
        code: "import { x } from '@oc/shared';",
        options: [production],
      },
      {
        filename: at('services/payouts/src/a.ts'),
        code: "import { x } from './b.js';",
        options: [production],
      },
      {
        filename: at('libs/pure/src/a.ts'),
        code: "import { z } from 'zod'; import '@oc/pure';",
        options: [production],
      },
      {
        filename: at('services/payouts/test/a.ts'),
        code: "import { s } from '@oc/ledger/definition';",
        options: [tests],
      },
      {
        filename: at('libs/shared/test/a.ts'),
        code: "import { t } from '@oc/testing';",
        options: [{ constraints: production.constraints.slice(0, 3) }],
      },
    ],
    invalid: [
      {
        filename: at('services/payouts/src/a.ts'),
        code: "import { s } from '@oc/ledger';",
        options: [production],
        errors: [{ message: 'a type:service package may import only type:lib packages, not @oc/ledger' }],
      },
      {
        filename: at('services/payouts/src/a.ts'),
        code: "export * from '../../ledger/src/internal.js';",
        options: [production],
        errors: [{ message: 'import @oc/ledger by its package name, not by a relative path into it' }],
      },
      {
        filename: at('services/payouts/src/a.ts'),
        code: "const s = await import('@oc/ledger/definition');",
        options: [production],
        errors: [{ message: 'import @oc/ledger by its entry point, not @oc/ledger/definition' }],
      },
      {
        filename: at('libs/pure/src/a.ts'),
        code: "import { DataSource } from 'typeorm'; import { Injectable } from '@nestjs/common';",
        options: [production],
        errors: [
          { message: 'a scope:pure package may not import typeorm (I/O, framework or clock)' },
          { message: 'a scope:pure package may not import @nestjs/common (I/O, framework or clock)' },
        ],
      },
      {
        filename: at('libs/pure/src/a.ts'),
        code: "import { x } from '@oc/shared';",
        options: [production],
        errors: [{ message: 'a scope:pure package may import only scope:pure packages, not @oc/shared' }],
      },
      {
        filename: at('libs/shared/src/a.ts'),
        code: "import { t } from '@oc/testing';",
        options: [production],
        errors: [{ message: 'a scope:shared package may not import a scope:testing package (@oc/testing)' }],
      },
    ],
  },
);
