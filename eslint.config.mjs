import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
// Built by `tsc -b` (./dev builds before it lints).
import { moduleBoundaries } from './tools/lint/dist/src/module-boundaries.js';

// Framework, I/O and clock-free code must stay that way: these imports are banned in `scope:pure` libs.
const impureImports = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'kafkajs',
  'bullmq',
  'ioredis',
  'pino',
  'nestjs-pino',
  'prom-client',
  'express',
];

// Every package imports only libs; the tags are in each package.json.
const packageConstraints = [
  { sourceTag: 'type:service', onlyTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyTags: ['type:lib'] },
];
const boundaries = {
  plugins: { onecommons: { rules: { 'module-boundaries': moduleBoundaries(import.meta.dirname) } } },
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**', '**/*.js', '**/*.mjs'],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    ...boundaries,
    // Nest resolves constructor parameters from emitted decorator metadata: with these set, the
    // type-import rule leaves classes with decorators alone instead of turning DI tokens into types.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      'onecommons/module-boundaries': [
        'error',
        {
          constraints: [
            ...packageConstraints,
            { sourceTag: 'scope:pure', onlyTags: ['scope:pure'], bannedPackages: impureImports },
            // Production code of shared libs never pulls in the test harness (their test/ folders may).
            { sourceTag: 'scope:shared', notTags: ['scope:testing'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Rules that need the types: a promise nobody awaits (an outbox append outside its transaction), a promise
    // passed where a callback's result is dropped, a switch over a union that misses a member.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // Command-line programs talk to their user on stdout/stderr.
    files: ['tools/**/*.ts', 'services/*/src/migrate.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'tests/**/*.ts'],
    rules: {
      'no-console': 'off',
      // A service's tests may boot the services it talks to, by their definition only.
      'onecommons/module-boundaries': [
        'error',
        { constraints: packageConstraints, allowServiceDefinitions: true },
      ],
    },
  },
);
