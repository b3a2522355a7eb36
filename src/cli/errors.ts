// How the CLI reports a failure: one line naming the input and what to do, on stderr.
import { CommanderError } from 'commander';
import { errorMessage, isKubefwdError } from '../contract/errors.js';
import { escapeTerminal } from '../contract/terminal-text.js';
import type { CliIo } from './io.js';

/** `command`: whose flags a usage error is about (its --help is named in the hint). */
export const formatError = (err: unknown, command = 'svc'): string => {
  if (isKubefwdError(err)) {
    const msg = err.message.replace(/[.\s]+$/, '');
    return `kubefwd: ${msg}. ${err.hint}`;
  }
  if (err instanceof CommanderError) {
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
  // they cannot drive the terminal.
  io.stderr.write(`${escapeTerminal(formatError(err, command))}\n`);
  return 1;
};
