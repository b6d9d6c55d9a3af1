import { existsSync, writeFileSync } from 'node:fs';
import { say } from './log.js';
import { commandExists, runCommand } from './run-command.js';

/**
 * Installs a Debian package when its command is missing. A policy-rc.d refuses service starts meanwhile,
 * so installing nginx does not also start a system-wide nginx on port 80.
 */
export async function ensureDebianPackage(command: string, packageName: string): Promise<void> {
  if (await commandExists(command)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${command} is not installed; install it with: sudo apt-get install ${packageName}`);
  }
  say(`installing ${packageName} (Debian package)`);
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await runCommand('apt-get', ['update', '-qq']);
    await runCommand('apt-get', ['install', '-y', '-qq', '--no-install-recommends', packageName], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
  } finally {
    if (!hadPolicy) await runCommand('rm', ['-f', policy]);
  }
}
