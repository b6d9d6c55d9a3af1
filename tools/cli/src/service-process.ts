import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, InvalidInputError } from './cli-error.js';

/** The repository root: tools/cli/dist/src → four levels up. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A service's environment: `--env-file`, else the dev stack's `.local/dev/env/<service>.env`, else none. */
export function serviceEnvFile(service: string, given: string | undefined): string | undefined {
  if (given !== undefined) {
    if (!existsSync(given)) throw new InvalidInputError('--env-file', `no such file: ${given}`);
    return given;
  }
  const devStack = path.join(REPO_ROOT, `.local/dev/env/${service}.env`);
  return existsSync(devStack) ? devStack : undefined;
}

/**
 * Runs one of a service's own commands (`node services/<service>/dist/src/main.js <args>`): the CLI never
 * touches a service's tables itself.
 */
export async function runServiceProcess(
  service: string,
  args: readonly string[],
  envFile: string | undefined,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = path.join(REPO_ROOT, `services/${service}/dist/src/main.js`);
  if (!existsSync(main))
    throw new CliError(`${main} is missing: build the workspace first (./dev builds it)`);
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      ...(envFile ? [`--env-file=${envFile}`] : []),
      main,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.once('close', (status) => resolve(status ?? 1)));
  return { code, stdout, stderr };
}
