// How the CLI reports a failure: one line naming the input and what to do, on stderr.
import { errorMessage, isKubefwdError } from '../contract/errors.js';
import { escapeTerminal } from '../contract/terminal-text.js';
import type { CliIo } from './io.js';

/**
 * commander's parse errors carry a `commander.*` code. Checked by shape rather than `instanceof
 * CommanderError`, so reporting an error does not load commander (`version` and `mcp` start faster).
 */
const isCommanderError = (err: unknown): err is Error =>
  err instanceof Error && String((err as { code?: unknown }).code).startsWith('commander.');

const CLI_KEY_HINT =
  'The running kubefwd refused the key this command used: --api-key, else KUBEFWD_API_KEY, else ~/.kubefwd/api.json (written by each kubefwd start); drop a stale --api-key or KUBEFWD_API_KEY.';

/** `command`: whose flags a usage error is about (its --help is named in the hint). */
export const formatError = (err: unknown, command = 'svc'): string => {
  if (isKubefwdError(err)) {
    const msg = err.message.replace(/[.\s]+$/, '');
    // The registry's hint speaks to HTTP clients ("Authorization: Bearer"); here the key is the
    // one the command found.
    const hint = err.code === 'UNAUTHORIZED' ? CLI_KEY_HINT : err.hint;
    // A message that is a question (or ends in '!') keeps its mark: no "serve?." before the hint.
    return `kubefwd: ${msg}${/[?!]$/.test(msg) ? '' : '.'} ${hint}`;
  }
  if (isCommanderError(err)) {
    const msg = err.message
      .replace(/^error:\s*/, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/[.\s]+$/, '');
    return `kubefwd: ${msg}. Run \`kubefwd ${command} --help\` for the flags.`;
  }
  return `kubefwd: ${errorMessage(err)}`;
};

export const reportError = (io: CliIo, err: unknown, command?: string): number => {
  // Error messages quote what a cluster or a peer sent (an API server's 403 text, a path): escaped so
  // they cannot drive the terminal. Line feeds stay (an exec plugin's stderr has several lines, and
  // "\x0a" hid them), continuation lines indented under the first; every other control is escaped.
  const text = escapeTerminal(formatError(err, command), { newlines: true }).replace(/\n/g, '\n  ');
  io.stderr.write(`${text}\n`);
  return 1;
};
