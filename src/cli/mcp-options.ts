// The `kubefwd mcp` command line, apart from running it: the command and shell completion both
// read these flags, so completion offers exactly what the parser accepts.
import { Command } from 'commander';

export const buildMcpCommand = (): Command =>
  new Command('mcp')
    .description(
      'Start the MCP server for AI assistants; it talks to a running kubefwd through its REST API (no sudo)',
    )
    .option(
      '--api-url <url>',
      'base URL of the kubefwd REST API (default: found through ~/.kubefwd/api.json)',
    )
    .option('--api-key <key>', 'API key (default: KUBEFWD_API_KEY or ~/.kubefwd/api.json)')
    .option('--http [host:port]', 'serve Streamable HTTP on a loopback address instead of stdio')
    .option('-v, --verbose', 'debug logging to stderr');
