import path from 'node:path';
import { portSlotOf, REPO_ROOT, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, getJson, waitUntil } from './probes.js';
import { tailOf, type ProcessTable } from './processes.js';

const PROCESS_NAME = 'mail-inbox';
// A function, not a constant: profile.ts imports this module, so REPO_ROOT is not set yet at load.
const entry = () => path.join(REPO_ROOT, 'node_modules/maildev/dist/bin/maildev.js');
const HOST = '127.0.0.1';

/**
 * The local SMTP server with a web inbox (maildev) that identity mails to: dev 12115 (SMTP) and 12116 (web),
 * test 12215/12216 + 100 × slot, beside the fakes.
 */
export function mailInboxPorts(profile: Profile): { smtp: number; web: number } {
  const smtp = profile.name === 'dev' ? 12_115 : 12_215 + 100 * portSlotOf(profile);
  return { smtp, web: smtp + 1 };
}

/** The inbox in a browser, and its REST API (`/api/email`) for tests. */
export const mailInboxUrl = (profile: Profile) => `http://${HOST}:${mailInboxPorts(profile).web}`;

/** Identity's mail settings in a local stack. */
export function identityMailEnvironment(profile: Profile): Record<string, string> {
  return {
    SMTP_URL: `smtp://${HOST}:${mailInboxPorts(profile).smtp}`,
    MAIL_FROM: 'OneCommons <no-reply@onecommons.local>',
  };
}

/** Starts maildev unless something answers on its web port; the mail lives in memory, gone when it stops. */
export async function ensureMailInbox(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const { smtp, web } = mailInboxPorts(profile);
  if (await answers(HOST, web)) return false;
  const logFile = path.join(profile.stateDir, 'logs', 'mail-inbox.log');
  say(`starting the mail inbox (maildev): SMTP ${HOST}:${smtp}, ${mailInboxUrl(profile)}`);
  processes.start({
    name: PROCESS_NAME,
    command: process.execPath,
    args: [
      entry(),
      '--smtp',
      String(smtp),
      '--web',
      String(web),
      '--ip',
      HOST,
      '--web-ip',
      HOST,
      // Bounded: a long-running dev stack keeps the newest mail only.
      '--max-emails',
      '1000',
    ],
    env: {},
    cwd: REPO_ROOT,
    logFile,
    marker: entry(),
  });
  try {
    await waitUntil(
      `the mail inbox at ${mailInboxUrl(profile)}`,
      async () =>
        (await getJson(`${mailInboxUrl(profile)}/api/healthz`)).status === 200 && (await answers(HOST, smtp)),
      { timeoutMs: 15_000 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tailOf(logFile)}`);
  }
  return true;
}

export function stopMailInbox(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME);
}
