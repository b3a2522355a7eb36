// `kubefwd tui`: attaches the terminal UI to a running kubefwd through its REST API (found through
// ~/.kubefwd/api.json, KUBEFWD_API_URL/KUBEFWD_API_KEY, or the flags). Needs no root.
import { createApiClient, discoverDaemon } from '../../api/client/index.js';
import { loadTui } from '../../tui/load.js';
import { invokingUser } from '../../os/privilege.js';
import { setUpCommand } from '../command-setup.js';
import { reportError } from '../errors.js';
import { buildTuiCommand } from '../tui-options.js';
import type { CliIo } from '../io.js';
import { kubefwdVersion } from '../version.js';

export const runTuiCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const cmd = setUpCommand(buildTuiCommand(), io);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if ((err as { code?: string }).code === 'commander.helpDisplayed') return 0;
    return reportError(io, err, 'tui');
  }
  const o = cmd.opts<{ apiUrl?: string; apiKey?: string; theme?: string }>();
  try {
    const address = await discoverDaemon({
      home: invokingUser(io.env).home,
      env: io.env,
      ...(o.apiUrl !== undefined ? { url: o.apiUrl } : {}),
      ...(o.apiKey !== undefined ? { key: o.apiKey } : {}),
    });
    const client = createApiClient({
      baseUrl: address.url,
      ...(address.key !== undefined ? { key: address.key } : {}),
    });
    await client.health();
    const { createApiBackend, runTui } = await loadTui();
    const backend = createApiBackend(client);
    const themeRaw = o.theme ?? io.env.KUBEFWD_THEME;
    try {
      await runTui(backend, {
        version: kubefwdVersion(),
        ...(themeRaw === 'dark' || themeRaw === 'light' ? { theme: themeRaw } : {}),
      });
    } finally {
      backend.close();
    }
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
};
