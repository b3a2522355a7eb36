// Copy-to-clipboard for connection strings: an OSC 52 escape (works over SSH and in tmux with
// set-clipboard on) plus the first clipboard program found on PATH, in kubefwd's order
// (pbcopy on macOS; wl-copy first under Wayland, else xclip, xsel, wl-copy; none without a display).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The OSC 52 sequence that asks the terminal to put `text` on the system clipboard. */
export const osc52 = (text: string): string =>
  `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;

export interface ClipboardCommand {
  command: string;
  args: string[];
}

/** Which program to run, or undefined when none is available. Pure: `has` answers "is it on PATH". */
export const pickClipboardCommand = (
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  has: (command: string) => boolean,
): ClipboardCommand | undefined => {
  const candidates: ClipboardCommand[] =
    platform === 'darwin'
      ? [{ command: 'pbcopy', args: [] }]
      : !env['WAYLAND_DISPLAY'] && !env['DISPLAY']
        ? // No display to own a selection (SSH, a console, a container): the programs would only
          // fail; OSC 52 is the route.
          []
        : env['WAYLAND_DISPLAY']
          ? [
              { command: 'wl-copy', args: [] },
              { command: 'xclip', args: ['-selection', 'clipboard'] },
              { command: 'xsel', args: ['--clipboard', '--input'] },
            ]
          : [
              { command: 'xclip', args: ['-selection', 'clipboard'] },
              { command: 'xsel', args: ['--clipboard', '--input'] },
              { command: 'wl-copy', args: [] },
            ];
  return candidates.find((c) => has(c.command));
};

export const onPath =
  (pathVar: string | undefined) =>
  (command: string): boolean =>
    (pathVar ?? '').split(delimiter).some((dir) => {
      if (!dir) return false;
      try {
        accessSync(join(dir, command), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });

export interface ClipboardDeps {
  /** Writes raw bytes to the terminal (the OSC 52 route); omitted → no OSC 52. */
  writeTerminal?: (data: string) => void;
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  /** Runs the clipboard program with `text` on stdin; resolves true when it exited 0. */
  run?: (cmd: ClipboardCommand, text: string) => Promise<boolean>;
}

export const runClipboardCommand = (cmd: ClipboardCommand, text: string): Promise<boolean> =>
  new Promise((resolve) => {
    try {
      const child = spawn(cmd.command, cmd.args, { stdio: ['pipe', 'ignore', 'ignore'], detached: false });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
      // A program that exits without reading (xsel with no X server) makes the write fail with
      // EPIPE: that is its failure to copy, told by its exit code, not the daemon's crash.
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    } catch {
      resolve(false);
    }
  });

/** Copies `text`; resolves true when at least one route took it (OSC 52 always counts as sent). */
export const copyToClipboard = async (text: string, deps: ClipboardDeps = {}): Promise<boolean> => {
  let ok = false;
  if (deps.writeTerminal) {
    deps.writeTerminal(osc52(text));
    ok = true;
  }
  const env = deps.env ?? process.env;
  const cmd = pickClipboardCommand(deps.platform ?? process.platform, env, onPath(env['PATH']));
  if (cmd) ok = (await (deps.run ?? runClipboardCommand)(cmd, text)) || ok;
  return ok;
};
