import { execFileSync } from 'node:child_process';

/**
 * Whether the kernel runs a keepalive timer on this machine's established TCP socket with local port
 * `localPort` (`ss -o` shows `timer:(keepalive,…)` for an idle socket with SO_KEEPALIVE set).
 */
export function hasKeepaliveTimer(localPort: number): boolean {
  const sockets = execFileSync('ss', [
    '-tnoH',
    'state',
    'established',
    `( sport = :${localPort} )`,
  ]).toString();
  if (sockets.trim() === '') throw new Error(`no established TCP socket with local port ${localPort}`);
  return sockets.includes('keepalive');
}
