// Debian's Chromium, driven headless through playwright-core, for the dashboard's browser tests and
// its bench section. A fresh profile per launch; no network beyond loopback, no background traffic.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where `.ci/run` installs it (`apt-get install chromium`); KUBEFWD_CHROMIUM overrides. */
export const chromiumPath = (): string | undefined =>
  [process.env.KUBEFWD_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => p !== undefined && p !== '' && existsSync(p),
  );

export const NO_CHROMIUM =
  'no Chromium at /usr/bin/chromium (install Debian\'s "chromium" package, or set KUBEFWD_CHROMIUM): the dashboard browser tests are skipped';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh user-data-dir. `resolve` maps host names to 127.0.0.1 inside the
 * browser only (how a DNS-rebinding page is simulated without touching the machine's resolver).
 */
export const launchChromium = async (o: { resolve?: string[] } = {}): Promise<Browser> => {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(NO_CHROMIUM);
  const profile = mkdtempSync(join(tmpdir(), 'kubefwd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(o.resolve?.length
        ? [`--host-resolver-rules=${o.resolve.map((n) => `MAP ${n} 127.0.0.1`).join(', ')}`]
        : []),
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
};
