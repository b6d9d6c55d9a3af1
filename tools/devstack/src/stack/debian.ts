import { existsSync, writeFileSync } from 'node:fs';
import { say } from './log.js';
import { commandExists, runCommand } from './run-command.js';

/** A command the tools need, and the Debian package that provides it. */
export interface DebianTool {
  readonly command: string;
  readonly packageName: string;
}

export const NGINX: DebianTool = { command: '/usr/sbin/nginx', packageName: 'nginx' };

/** apt and dpkg take one process at a time: installs queue here, one after another. */
let installs: Promise<void> = Promise.resolve();

/**
 * Installs the Debian packages of the tools that are missing, with one `apt-get update` for all. A policy-rc.d
 * refuses service starts meanwhile, so installing nginx does not also start a system-wide nginx on port 80.
 * Calls queue behind each other, so one may start early (in the background) and another wait for it.
 */
export function ensureDebianPackages(tools: readonly DebianTool[]): Promise<void> {
  const run = installs.then(() => installMissing(tools));
  installs = run.catch(() => undefined);
  return run;
}

async function installMissing(tools: readonly DebianTool[]): Promise<void> {
  const missing: DebianTool[] = [];
  for (const tool of tools) if (!(await commandExists(tool.command))) missing.push(tool);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => tool.packageName))];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${missing.map((tool) => tool.command).join(', ')} not installed; install with: sudo apt-get install ${packages.join(' ')}`,
    );
  }
  say(`installing ${packages.join(', ')} (Debian packages)`);
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await runCommand('apt-get', ['update', '-qq']);
    await runCommand('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
  } finally {
    if (!hadPolicy) await runCommand('rm', ['-f', policy]);
  }
}
