import { enumVar, integerVar, urlVar } from '@onecommons/config';
import { z } from 'zod';
import { type ConfigVariable, configReference, configVariables } from './config-variables.js';
import { CONFIG_COMMAND, renderConfigurationPage } from './configuration-page.js';
import {
  CONFIGURATION_PAGE,
  currentText,
  ENV_EXAMPLE,
  firstDifference,
  repositoryRoot,
} from './docs-pages.js';
import { renderEnvExample } from './env-example.js';

const root = repositoryRoot(import.meta.dirname);

describe.each([CONFIGURATION_PAGE, ENV_EXAMPLE])('$path', (page) => {
  it("is what the services' config schemas give now", async () => {
    const current = currentText(root, page);
    const wanted = await page.render(root, current);
    if (current !== wanted) {
      throw new Error(
        `${page.path} is stale: a variable of a service's config schema changed.\n` +
          `Regenerate it (and its twin) from the repository root:\n\n` +
          `  node_modules/.bin/tsc -b tsconfig.build.json && ${CONFIG_COMMAND}\n\n` +
          `and commit the result. First difference at ${firstDifference(current, wanted)}`,
      );
    }
    // It imports every service's config from its build: 3 s alone, more beside the other unit tests.
  }, 30_000);
});

const shop = z.object({
  SHOP_PORT: integerVar({ min: 1, max: 65_535 }).meta({
    description: 'Where it listens.',
    examples: ['8080'],
  }),
  SHOP_MODE: enumVar(['open', 'closed'], 'open').meta({ description: 'Whether it sells.' }),
  SHOP_BASKET_LIMIT: integerVar({ min: 1, max: 100, default: 20 }),
  SHOP_SECRET: z.string().min(32).meta({ description: 'Signs receipts.' }),
  SHOP_MIRROR_URL: urlVar(['https']).optional().meta({ description: 'Unset: no mirror.' }),
});

describe('configVariables', () => {
  it('reads required, default, enum, range and description from the JSON Schema', () => {
    expect(configVariables(shop)).toEqual([
      {
        name: 'SHOP_PORT',
        required: true,
        defaultValue: undefined,
        example: '8080',
        accepts: 'integer 1…65535',
        description: 'Where it listens.',
      },
      {
        name: 'SHOP_MODE',
        required: false,
        defaultValue: 'open',
        example: undefined,
        accepts: 'one of `open`, `closed`',
        description: 'Whether it sells.',
      },
      {
        name: 'SHOP_BASKET_LIMIT',
        required: false,
        defaultValue: '20',
        example: undefined,
        accepts: 'integer 1…100',
        description: undefined,
      },
      {
        name: 'SHOP_SECRET',
        required: true,
        defaultValue: undefined,
        example: undefined,
        accepts: 'string (length ≥ 32)',
        description: 'Signs receipts.',
      },
      {
        name: 'SHOP_MIRROR_URL',
        required: false,
        defaultValue: undefined,
        example: undefined,
        accepts: 'URL matching `^(https):`',
        description: 'Unset: no mirror.',
      },
    ]);
  });

  it('leaves parsing as it was: the metadata is for documents only', () => {
    expect(shop.parse({ SHOP_PORT: '8080', SHOP_SECRET: 'x'.repeat(32) })).toEqual({
      SHOP_PORT: 8080,
      SHOP_MODE: 'open',
      SHOP_BASKET_LIMIT: 20,
      SHOP_SECRET: 'x'.repeat(32),
    });
    expect(shop.safeParse({ SHOP_PORT: '0', SHOP_SECRET: 'x'.repeat(32) }).error?.issues[0]?.message).toBe(
      'must be an integer between 1 and 65535',
    );
  });
});

describe('the configuration reference', () => {
  const variable = (name: string, description: string): ConfigVariable => ({
    name,
    required: false,
    defaultValue: '1',
    example: undefined,
    accepts: 'integer',
    description,
  });
  const [port, mode, limit, secret] = configVariables(shop);
  if (!port || !mode || !limit || !secret) throw new Error('the shop schema lost a variable');
  const reference = configReference(
    new Map([
      ['bakery', [port, mode, variable('OVEN_COUNT', 'Ovens.'), secret]],
      ['grocer', [port, mode, variable('OVEN_COUNT', 'Ovens.'), limit]],
      ['florist', [port, mode, variable('OVEN_COUNT', 'Not an oven: vases.')]],
    ]),
    [port, variable('MIGRATE_AS', 'The owner.')],
  );

  it('documents a variable once: for every service, for several, or under its one service', () => {
    expect(reference.everyService.map(({ name }) => name)).toEqual(['SHOP_PORT', 'SHOP_MODE']);
    expect(reference.migration.map(({ name }) => name)).toEqual(['MIGRATE_AS']);
    expect(reference.shared.map(({ variable, services }) => [variable.name, services])).toEqual([
      ['OVEN_COUNT', ['bakery', 'grocer']],
    ]);
    expect(
      reference.services.map(({ service, variables }) => [
        service,
        variables.map((each) => each.variable.name),
      ]),
    ).toEqual([
      ['bakery', ['OVEN_COUNT', 'SHOP_SECRET']],
      ['grocer', ['OVEN_COUNT', 'SHOP_BASKET_LIMIT']],
      // Read differently (its own description), so under the florist alone.
      ['florist', ['OVEN_COUNT']],
    ]);
  });

  it('renders a table row per variable: required or its default, what it accepts, its description', () => {
    const page = renderConfigurationPage(reference);
    expect(page).toContain('| `SHOP_PORT` | **required** | integer 1…65535 | Where it listens. |');
    expect(page).toContain('| `SHOP_MODE` | `open` | one of `open`, `closed` | Whether it sells. |');
    expect(page).toContain('| `OVEN_COUNT` | bakery, grocer | `1` | integer | Ovens. |');
    expect(page).toContain('| `SHOP_BASKET_LIMIT` | `20` | integer 1…100 |  |');
    expect(page).toContain(
      '`services/grocer/src/config.ts` (`grocerConfigSchema`). Also reads, as [several services](#several-services) do: `OVEN_COUNT`.',
    );
    expect(page).toContain('| `OVEN_COUNT` | `1` | integer | Not an oven: vases. |');
  });

  it('renders .env.example: defaults commented out, examples for required values, secrets left empty', () => {
    const example = renderEnvExample(reference);
    expect(example).toContain('\n# Where it listens.\nSHOP_PORT=8080\n');
    expect(example).toContain('\n# Whether it sells.\n# SHOP_MODE=open\n');
    expect(example).toContain('\n# Signs receipts.\nSHOP_SECRET=\n');
    expect(example).toContain('\n\n# SHOP_BASKET_LIMIT=20\n');
    // Each service's block holds what its environment needs beyond every service's, shared variables included.
    const grocer = example.slice(example.indexOf('# ==== grocer '), example.indexOf('# ==== florist '));
    expect(grocer).toContain('# OVEN_COUNT=1');
    expect(grocer).not.toContain('SHOP_PORT');
  });
});
