import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';
import { CliError, InvalidInputError } from '../cli-error.js';
import { demoEmail, DEMO_PASSWORD } from './demo/demo-cast.js';
import { type FakeClouds } from './demo/demo-deployments.js';
import { type StripeAccess } from './demo/demo-payouts.js';
import { type DemoSeedFile, DemoSeeder } from './demo/demo-seed.js';
import { runDemoStory } from './demo/demo-story.js';
import { demoSummary } from './demo/demo-summary.js';
import { PlatformApi } from './demo/platform-api.js';

/** The repository root: tools/cli/dist/src/commands → five levels up. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const DEV_FAKE_CLOUDS = path.join(REPO_ROOT, '.local', 'dev', 'fake-clouds.json');
const DEV_PAYOUTS_ENV = path.join(REPO_ROOT, '.local', 'dev', 'env', 'payouts.env');
const DEV_BOOTSTRAP_TOKEN = path.join(
  REPO_ROOT,
  '.local',
  'dev',
  'secrets',
  'identity-admin-bootstrap-token',
);

interface SeedCommandOptions {
  readonly out: string;
  readonly gateway: string;
  readonly bootstrapTokenFile: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly fakeClouds: string;
  readonly payoutsEnv: string;
}

/** The Stripe API payouts uses (`STRIPE_API_BASE`, `STRIPE_SECRET_KEY` of its env file), when there is one. */
function stripeAccess(file: string): StripeAccess | undefined {
  if (!existsSync(file)) return undefined;
  const variables = new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((match) => match !== null)
      .map((match) => [match[1] as string, (match[2] as string).replace(/^"(.*)"$/, '$1')]),
  );
  const apiBase = variables.get('STRIPE_API_BASE');
  const secretKey = variables.get('STRIPE_SECRET_KEY');
  if (!apiBase || !secretKey)
    throw new InvalidInputError('--payouts-env', `${file} lacks STRIPE_API_BASE or STRIPE_SECRET_KEY`);
  return { apiBase, secretKey };
}

/** The fake clouds file, when there is one (without it the services are not deployed). */
function fakeClouds(file: string): FakeClouds | undefined {
  if (!existsSync(file)) return undefined;
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<FakeClouds>;
  if (
    typeof value.hetznerBaseUrl !== 'string' ||
    typeof value.digitaloceanBaseUrl !== 'string' ||
    typeof value.token !== 'string'
  )
    throw new InvalidInputError(
      '--fake-clouds',
      `${file} lacks hetznerBaseUrl, digitaloceanBaseUrl or token`,
    );
  return value as FakeClouds;
}

function bootstrapToken(file: string): string {
  const fromEnvironment = process.env['IDENTITY_ADMIN_BOOTSTRAP_TOKEN'];
  if (fromEnvironment) return fromEnvironment;
  if (!existsSync(file))
    throw new InvalidInputError(
      '--bootstrap-token-file',
      `${file} does not exist (is the dev stack set up? ./dev up)`,
    );
  return readFileSync(file, 'utf8').trim();
}

function previousRun(file: string): DemoSeedFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoSeedFile;
  } catch {
    return undefined;
  }
}

/** The options `demo seed` and `demo run` share: where the platform is and who the demo acts as. */
function withSeedOptions(command: Command): Command {
  return command
    .requiredOption('--out <file>', 'where to write the seed file (JSON)')
    .option(
      '--gateway <url>',
      'the platform gateway',
      process.env['ONECOMMONS_GATEWAY_URL'] ?? 'http://127.0.0.1:8080',
    )
    .option(
      '--bootstrap-token-file <file>',
      'identity’s admin bootstrap token (env IDENTITY_ADMIN_BOOTSTRAP_TOKEN wins)',
      DEV_BOOTSTRAP_TOKEN,
    )
    .option(
      '--admin-email <email>',
      'the admin to act as (made the first admin if there is none)',
      demoEmail('admin'),
    )
    .option('--admin-password <password>', 'that admin’s password', DEMO_PASSWORD)
    .option(
      '--fake-clouds <file>',
      'the local fake clouds (JSON: hetznerBaseUrl, digitaloceanBaseUrl, token) to deploy the services on',
      DEV_FAKE_CLOUDS,
    )
    .option(
      '--payouts-env <file>',
      'the payouts service’s env file: its Stripe API opens the payees’ connected accounts',
      DEV_PAYOUTS_ENV,
    );
}

/** Seeds the demo (idempotent) and writes the seed file; returns what it wrote and where. */
async function seed(
  options: SeedCommandOptions,
  log: (line: string) => void,
): Promise<{ seeded: DemoSeedFile; out: string }> {
  let gateway: URL;
  try {
    gateway = new URL(options.gateway);
  } catch {
    throw new InvalidInputError('--gateway', `not a URL: "${options.gateway}"`);
  }
  if (!['http:', 'https:'].includes(gateway.protocol))
    throw new InvalidInputError('--gateway', 'must be an http(s) URL');
  const out = path.resolve(options.out);
  if (!existsSync(path.dirname(out)))
    throw new InvalidInputError('--out', `directory ${path.dirname(out)} does not exist`);
  const clouds = fakeClouds(options.fakeClouds);
  const stripe = stripeAccess(options.payoutsEnv);
  const seeder = new DemoSeeder({
    gateway: gateway.origin,
    bootstrapToken: bootstrapToken(options.bootstrapTokenFile),
    admin: { email: options.adminEmail, password: options.adminPassword },
    previous: previousRun(out),
    ...(clouds ? { fakeClouds: clouds } : {}),
    ...(stripe ? { stripe } : {}),
    log,
  });
  const seeded = await seeder.run();
  const temporary = `${out}.partial`;
  try {
    writeFileSync(temporary, `${JSON.stringify(seeded, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, out);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`);
  }
  log(`wrote ${out}`);
  return { seeded, out };
}

/** A progress bar on a terminal; on anything else a line at every quarter. */
function progressReporter(label: string): (done: number, total: number) => void {
  let lastQuarter = -1;
  return (done, total) => {
    const ratio = total === 0 ? 1 : done / total;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% (${done}/${total})` +
          (done >= total ? '\n' : ''),
      );
      return;
    }
    const quarter = Math.floor(ratio * 4);
    if (quarter !== lastQuarter) {
      lastQuarter = quarter;
      process.stderr.write(`${label} ${Math.floor(ratio * 100)}% (${done}/${total})\n`);
    }
  };
}

export function registerDemoCommand(program: Command): void {
  const demo = program.command('demo').description('the demo platform: seed it, run its story');
  withSeedOptions(
    demo
      .command('seed')
      .description(
        'create the demo cast through the gateway (idempotent) and write what a client needs to FILE',
      ),
  ).action(async (options: SeedCommandOptions) => {
    await seed(options, (line) => process.stderr.write(`[demo seed] ${line}\n`));
  });
  withSeedOptions(
    demo
      .command('run')
      .description(
        'the whole story through the gateway: seed, a month of usage, close the period, pay out, and a summary',
      ),
  ).action(async (options: SeedCommandOptions) => {
    const log = (line: string) => process.stderr.write(`[demo] ${line}\n`);
    const { seeded, out } = await seed(options, log);
    const story = await runDemoStory(new PlatformApi(seeded.gateway), seeded, {
      now: new Date(),
      bankFile: path.join(path.dirname(out), `bank-file-${seeded.period}.xml`),
      log,
      progress: progressReporter('[demo] usage'),
    });
    const shown = path.relative(process.cwd(), out);
    process.stdout.write(demoSummary(seeded, story, shown.startsWith('..') ? out : shown));
  });
}
