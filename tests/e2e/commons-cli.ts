import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCommons, testStack } from '@onecommons/testing';

export const repoRoot = path.join(import.meta.dirname, '..', '..');

/** Runs the `commons` CLI as a user would, collecting its output and exit code. */
export { runCommons };

/** The options `commons demo seed` and `demo run` take against the test stack, as the stack's admin. */
function demoArguments(out: string, admin: { email: string; password: string }): string[] {
  const stack = testStack();
  return [
    '--out',
    out,
    '--gateway',
    stack.gatewayUrl,
    '--bootstrap-token-file',
    path.join(stack.envDir, '..', 'secrets', 'identity-admin-bootstrap-token'),
    '--admin-email',
    admin.email,
    '--admin-password',
    admin.password,
    '--fake-clouds',
    path.join(stack.envDir, '..', 'fake-clouds.json'),
    '--payouts-env',
    path.join(stack.envDir, 'payouts.env'),
  ];
}

/**
 * `commons demo seed` against the test stack, as the stack's admin (see platformAdmin), deploying on the
 * stack's fake clouds; returns the seed file's contents.
 */
export async function seedDemo<Seed>(out: string, admin: { email: string; password: string }): Promise<Seed> {
  const result = await runCommons(['demo', 'seed', ...demoArguments(out, admin)]);
  if (result.code !== 0) throw new Error(`commons demo seed exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Seed;
}

/** `commons demo run` against the test stack: the whole story; returns its summary and the seed file. */
export async function runDemo<Seed>(
  out: string,
  admin: { email: string; password: string },
): Promise<{ summary: string; log: string; seed: Seed }> {
  const result = await runCommons(['demo', 'run', ...demoArguments(out, admin)]);
  if (result.code !== 0) throw new Error(`commons demo run exited ${result.code}:\n${result.stderr}`);
  return { summary: result.stdout, log: result.stderr, seed: JSON.parse(readFileSync(out, 'utf8')) as Seed };
}
