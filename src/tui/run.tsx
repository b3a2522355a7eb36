// runTui: mounts the app on the terminal (alternate screen), resolves when the user quits (q,
// Ctrl+C) or `signal` aborts, and always gives the terminal back (main screen, cursor, raw mode).
// The caller runs its normal shutdown afterwards and closes the backend.
import { render } from 'ink';
import { KubefwdError } from '../contract/errors.js';
import { App } from './app.js';
import type { TuiBackend } from './backend.js';
import { copyToClipboard } from './clipboard.js';
import { DISABLE_MOUSE, ENABLE_MOUSE } from './mouse.js';
import { resolveTheme } from './theme.js';

export interface RunTuiOptions {
  theme?: 'dark' | 'light';
  version: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Aborting it closes the TUI (e.g. the daemon got SIGTERM). */
  signal?: AbortSignal;
  /** Renders at most once per this many ms (default 100). */
  renderIntervalMs?: number;
  /** Route console.* output above the UI (default true; tests whose console is not Node's turn it off). */
  patchConsole?: boolean;
  /** Wheel scrolling and click-to-select (default true; Shift+drag still selects text). */
  mouse?: boolean;
}

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export const runTui = async (backend: TuiBackend, opts: RunTuiOptions): Promise<void> => {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  // ink reads keys in raw mode; without a terminal it would throw deep inside React.
  if (stdin.isTTY !== true)
    throw new KubefwdError('INVALID_INPUT', 'the TUI needs an interactive terminal, and stdin is not one', {
      hint: 'Run it in a terminal, or drop --tui and use the REST API (kubefwd prints its address).',
    });
  const tty = stdout.isTTY === true;
  const mouse = tty && opts.mouse !== false;
  if (tty) stdout.write(ENTER_ALT_SCREEN + (mouse ? ENABLE_MOUSE : ''));
  const restore = (): void => {
    if (tty) stdout.write((mouse ? DISABLE_MOUSE : '') + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  // A crash must not leave the terminal in the alternate screen.
  process.once('exit', restore);
  let instance: ReturnType<typeof render> | undefined;
  const onAbort = (): void => instance?.unmount();
  try {
    instance = render(
      <App
        backend={backend}
        version={opts.version}
        theme={resolveTheme(opts.theme)}
        copy={(text) => copyToClipboard(text, tty ? { writeTerminal: (s) => stdout.write(s) } : {})}
        onQuit={() => undefined}
        {...(opts.renderIntervalMs !== undefined ? { renderIntervalMs: opts.renderIntervalMs } : {})}
      />,
      { stdout, stdin, exitOnCtrlC: false, patchConsole: opts.patchConsole ?? true, maxFps: 10 },
    );
    if (opts.signal?.aborted) instance.unmount();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    await instance.waitUntilExit();
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    instance?.cleanup();
    restore();
    process.removeListener('exit', restore);
  }
};
