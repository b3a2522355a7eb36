// How the CLI reports a failure: one line naming the input and what to do, on stderr.
import { CommanderError } from 'commander';
import { errorMessage, isKubefwdError } from '../contract/errors.js';
import { escapeTerminal } from '../contract/terminal-text.js';
import type { CliIo } from './io.js';

export const formatError = (err: unknown): string => {
  if (isKubefwdError(err)) {
    const msg = err.message.replace(/[.\s]+$/, '');
    return `kubefwd: ${msg}. ${err.hint}`;
  }
  if (err instanceof CommanderError) {
    const msg = err.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ');
    return `kubefwd: ${msg}. Run \`kubefwd svc --help\` for the flags.`;
  }
  return `kubefwd: ${errorMessage(err)}`;
};

export const reportError = (io: CliIo, err: unknown): number => {
  // Error messages quote what a cluster or a peer sent (an API server's 403 text, a path): escaped so
  // they cannot drive the terminal.
  io.stderr.write(`${escapeTerminal(formatError(err))}\n`);
  return 1;
};
