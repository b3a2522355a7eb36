// `kubefwd mcp`: kubefwd's flags (--api-url, --api-key, -v) plus --http [host:port] for Streamable
// HTTP; the server itself is the mcp module's.
import { runMcpServer } from '../../mcp/index.js';
import { setUpCommand } from '../command-setup.js';
import { reportError } from '../errors.js';
import { buildMcpCommand } from '../mcp-options.js';
import type { CliIo } from '../io.js';
import { kubefwdVersion } from '../version.js';

export const runMcpCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const cmd = setUpCommand(buildMcpCommand(), io);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if ((err as { code?: string }).code === 'commander.helpDisplayed') return 0;
    return reportError(io, err, 'mcp');
  }
  const o = cmd.opts<{ apiUrl?: string; apiKey?: string; http?: string | true; verbose?: boolean }>();
  try {
    return await runMcpServer({
      version: kubefwdVersion(),
      env: io.env,
      ...(o.apiUrl !== undefined ? { apiUrl: o.apiUrl } : {}),
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      ...(o.http !== undefined ? { http: o.http === true ? '' : o.http } : {}),
      verbose: o.verbose === true,
    });
  } catch (err) {
    return reportError(io, err);
  }
};
