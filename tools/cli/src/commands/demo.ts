import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command } from 'commander';
import { CliError, InvalidInputError } from '../cli-error.js';
import { demoEmail, DEMO_PASSWORD } from './demo/demo-cast.js';
import { type FakeClouds } from './demo/demo-deployments.js';
import { type DemoSeedFile, DemoSeeder } from './demo/demo-seed.js';

/** The repository root: tools/cli/dist/src/commands → five levels up. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const DEV_FAKE_CLOUDS = path.join(REPO_ROOT, '.local', 'dev', 'fake-clouds.json');
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

export function registerDemoCommand(program: Command): void {
  const demo = program.command('demo').description('the demo platform: seed it, run its story');
  demo
    .command('seed')
    .description(
      'create the demo cast through the gateway (idempotent) and write what a client needs to FILE',
    )
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
    .action(async (options: SeedCommandOptions) => {
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
      const seeder = new DemoSeeder({
        gateway: gateway.origin,
        bootstrapToken: bootstrapToken(options.bootstrapTokenFile),
        admin: { email: options.adminEmail, password: options.adminPassword },
        previous: previousRun(out),
        ...(clouds ? { fakeClouds: clouds } : {}),
        log: (line) => process.stderr.write(`[demo seed] ${line}\n`),
      });
      const seeded = await seeder.run();
      const temporary = `${out}.partial`;
      try {
        writeFileSync(temporary, `${JSON.stringify(seeded, null, 2)}\n`, { mode: 0o600 });
        renameSync(temporary, out);
      } catch (error) {
        throw new CliError(`cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`);
      }
      process.stderr.write(`[demo seed] wrote ${out}\n`);
    });
}
