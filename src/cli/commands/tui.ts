// `kubefwd tui`: attaches the terminal UI to a running kubefwd through its REST API (found through
// ~/.kubefwd/api.json, KUBEFWD_API_URL/KUBEFWD_API_KEY, or the flags). Needs no root. When that
// kubefwd stops, the TUI exits and says so here, on the terminal it gave back.
import { normaliseBaseUrl, runningFromFile } from '../../api/client/index.js';
import { invokingUser } from '../../os/privilege.js';
import { loadTui } from '../../tui/load.js';
import { attachDaemon, parseCommand } from '../attach.js';
import { daemonProbes } from '../daemon-probes.js';
import { reportError } from '../errors.js';
import { resolveTheme } from '../theme.js';
import { buildTuiCommand } from '../tui-options.js';
import type { CliIo } from '../io.js';
import { kubefwdVersion } from '../version.js';

/**
 * The attached daemon's pid, when the discovery file names the kubefwd at that address: the TUI
 * names it when it stops and tells a daemon gone from a stream that dropped by its pid.
 */
const attachedPid = async (io: CliIo, url: string): Promise<number | undefined> => {
  const running = await runningFromFile({
    home: invokingUser(io.env).home,
    isAlive: daemonProbes.isAlive,
  }).catch(() => undefined);
  return running && normaliseBaseUrl(running.url) === normaliseBaseUrl(url) ? running.pid : undefined;
};

export const runTuiCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const cmd = buildTuiCommand();
  const code = parseCommand(cmd, argv, io);
  if (code !== undefined) return code;
  const o = cmd.opts<{ apiUrl?: string; apiKey?: string; theme?: string }>();
  try {
    // Checked before the daemon is looked for: a bad theme is the user's to fix whatever runs.
    const theme = resolveTheme(o.theme, io.env.KUBEFWD_THEME);
    const client = await attachDaemon(io, o);
    await client.health();
    const pid = await attachedPid(io, client.baseUrl);
    const { createApiBackend, runTui } = await loadTui();
    const backend = createApiBackend(client, pid === undefined ? {} : { pid, isAlive: daemonProbes.isAlive });
    try {
      await runTui(backend, {
        version: kubefwdVersion(),
        ...(theme === undefined ? {} : { theme }),
      });
    } finally {
      backend.close();
    }
    const stopped = backend.getState().stopped;
    if (stopped !== undefined)
      io.stderr.write(
        `${stopped}, so the TUI exited; start kubefwd again, then \`kubefwd tui\` attaches to it.\n`,
      );
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
};
