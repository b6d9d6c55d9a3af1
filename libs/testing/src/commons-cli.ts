import { spawn } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from './service-process.js';

/** Runs the `commons` CLI as a user would (`node tools/cli/bin/commons.js …`): its exit code and output. */
export function runCommons(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = repositoryRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'tools/cli/bin/commons.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The last stdout line parsed as JSON (the machine-readable result of a `commons … --json` command). */
export function lastJsonLine<T>(result: { readonly stdout: string }): T {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

/** `commons payouts reconcile --period <period> --json` with the services' env files in `envDir`. */
export function reconcilePayouts(
  period: string,
  envDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommons(['payouts', 'reconcile', '--period', period, '--json', '--env-dir', envDir]);
}
