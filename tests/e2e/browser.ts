import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which `./dev test e2e` installs when it is missing (or CHROMIUM_PATH). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * A headless Chromium for tests that use the platform's pages as a person does. Without the sandbox: the
 * tests may run as root in a container, where Chromium's sandbox cannot start.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: \`./dev test e2e\` installs Debian's (apt-get install chromium), ` +
        'or set CHROMIUM_PATH to another Chromium binary',
    );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'], headless: true });
}
