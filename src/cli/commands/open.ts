// `kubefwd open`: asks the running daemon (with the key from ~/.kubefwd/api.json) for a one-time
// login link and opens it in the default browser — xdg-open, open or start — or only prints it
// (--print-url). The key itself never goes into a browser address.
import { spawn } from 'node:child_process';
import { KubefwdError, errorMessage } from '../../contract/errors.js';
import { attachDaemon, parseCommand } from '../attach.js';
import { reportError } from '../errors.js';
import type { CliIo } from '../io.js';
import { buildOpenCommand } from '../open-options.js';

/** The program that opens a URL in the user's browser on this platform. */
export const browserOpener = (
  platform: NodeJS.Platform,
): { command: string; args: (url: string) => string[] } =>
  platform === 'darwin'
    ? { command: 'open', args: (u) => [u] }
    : platform === 'win32'
      ? // `start` is a cmd built-in; its first quoted argument is a window title.
        { command: 'cmd', args: (u) => ['/c', 'start', '""', u.replace(/&/g, '^&')] }
      : { command: 'xdg-open', args: (u) => [u] };

/** How long a failing opener (xdg-open with no display) is waited for before it counts as done. */
const OPENER_GRACE_MS = 1500;

/**
 * Starts the browser. Resolves with why it failed when the opener exits non-zero within a short
 * grace (xdg-open on a machine without a desktop), else undefined (it is running, or done).
 */
const openInBrowser = (url: string, platform: NodeJS.Platform): Promise<string | undefined> => {
  const opener = browserOpener(platform);
  return new Promise((resolve, reject) => {
    const child = spawn(opener.command, opener.args(url), { stdio: 'ignore', detached: true });
    child.once('error', (err) =>
      reject(
        new KubefwdError('INVALID_INPUT', `cannot start ${opener.command}: ${errorMessage(err)}`, {
          hint: 'Open the printed link yourself, or run `kubefwd open --print-url`.',
        }),
      ),
    );
    child.once('spawn', () => {
      const timer = setTimeout(() => {
        child.unref();
        resolve(undefined);
      }, OPENER_GRACE_MS);
      timer.unref();
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0 ? undefined : `${opener.command} exited with ${code ?? 'a signal'}`);
      });
    });
  });
};

export const runOpenCommand = async (
  argv: readonly string[],
  io: CliIo,
  platform: NodeJS.Platform = process.platform,
): Promise<number> => {
  const cmd = buildOpenCommand();
  const code = parseCommand(cmd, argv, io);
  if (code !== undefined) return code;
  const o = cmd.opts<{ apiUrl?: string; apiKey?: string; printUrl?: boolean }>();
  try {
    const client = await attachDaemon(io, o);
    const link = await client.dashboardLink();
    if (o.printUrl) {
      io.stdout.write(`${link.url}\n`);
      return 0;
    }
    io.stdout.write(
      `Opening the kubefwd dashboard (one-time link, valid until ${link.expiresAt}):\n${link.url}\n`,
    );
    const failed = await openInBrowser(link.url, platform);
    if (failed !== undefined)
      io.stderr.write(
        `kubefwd: no browser was opened (${failed}; no desktop session?): open the link above yourself.\n`,
      );
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
};
