// `kubefwd mcp`: kubefwd's flags (--api-url, --api-key, -v) plus --http [host:port] for Streamable
// HTTP; the server itself is the mcp module's.
import { runMcpServer } from '../../mcp/run.js';
import { daemonProbes } from '../daemon-probes.js';
import { setUpCommand } from '../command-setup.js';
import { reportError } from '../errors.js';
import type { CliIo } from '../io.js';
import { kubefwdVersion } from '../version.js';

type McpFlags = { apiUrl?: string; apiKey?: string; http?: string | true; verbose?: boolean };

export const runMcpCommand = async (argv: readonly string[], io: CliIo): Promise<number> => {
  // MCP hosts start a bare `kubefwd mcp` for every session: with no flags there is nothing to parse,
  // and commander is not loaded (start-up time until `initialize` is answered).
  let o: McpFlags = {};
  if (argv.length > 0) {
    const { buildMcpCommand } = await import('../mcp-options.js');
    const cmd = setUpCommand(buildMcpCommand(), io);
    try {
      cmd.parse(argv, { from: 'user' });
    } catch (err) {
      if ((err as { code?: string }).code === 'commander.helpDisplayed') return 0;
      return reportError(io, err, 'mcp');
    }
    o = cmd.opts<McpFlags>();
  }
  try {
    return await runMcpServer({
      version: kubefwdVersion(),
      env: io.env,
      probes: daemonProbes,
      ...(o.apiUrl !== undefined ? { apiUrl: o.apiUrl } : {}),
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      ...(o.http !== undefined ? { http: o.http === true ? '' : o.http } : {}),
      verbose: o.verbose === true,
    });
  } catch (err) {
    return reportError(io, err);
  }
};
