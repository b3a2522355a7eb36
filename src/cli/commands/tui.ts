// `kubefwd tui`: attaches the terminal UI to a running kubefwd through its REST API (found through
// ~/.kubefwd/api.json, KUBEFWD_API_URL/KUBEFWD_API_KEY, or the flags). Needs no root.
import { loadTui } from '../../tui/load.js';
import { attachDaemon, parseCommand } from '../attach.js';
import { reportError } from '../errors.js';
import { resolveTheme } from '../theme.js';
import { buildTuiCommand } from '../tui-options.js';
import type { CliIo } from '../io.js';
import { kubefwdVersion } from '../version.js';

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
    const { createApiBackend, runTui } = await loadTui();
    const backend = createApiBackend(client);
    try {
      await runTui(backend, {
        version: kubefwdVersion(),
        ...(theme === undefined ? {} : { theme }),
      });
    } finally {
      backend.close();
    }
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
};
