// What the commands that talk to a running kubefwd share (tui, open): parsing their flags with
// commander's help and errors mapped to exit codes, and finding the daemon and its key.
import type { Command } from 'commander';
import { createApiClient, discoverDaemon, type ApiClient } from '../api/client/index.js';
import { daemonProbes } from './daemon-probes.js';
import { invokingUser } from '../os/privilege.js';
import { setUpCommand } from './command-setup.js';
import { reportError } from './errors.js';
import type { CliIo } from './io.js';

/** Parses `argv` with `cmd`: undefined to go on, or the exit code (help shown: 0; bad flags: reported). */
export const parseCommand = (cmd: Command, argv: readonly string[], io: CliIo): number | undefined => {
  setUpCommand(cmd, io);
  try {
    cmd.parse(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if ((err as { code?: string }).code === 'commander.helpDisplayed') return 0;
    return reportError(io, err, cmd.name());
  }
};

/** A client of the running daemon: --api-url/--api-key, else KUBEFWD_API_URL/KEY, else ~/.kubefwd/api.json. */
export const attachDaemon = async (
  io: CliIo,
  o: { apiUrl?: string; apiKey?: string },
): Promise<ApiClient> => {
  const address = await discoverDaemon({
    home: invokingUser(io.env).home,
    env: io.env,
    ...daemonProbes,
    ...(o.apiUrl !== undefined ? { url: o.apiUrl } : {}),
    ...(o.apiKey !== undefined ? { key: o.apiKey } : {}),
  });
  return createApiClient({
    baseUrl: address.url,
    ...(address.key !== undefined ? { key: address.key } : {}),
  });
};
