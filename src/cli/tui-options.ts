// The `kubefwd tui` command line, apart from running it: the command and shell completion both
// read these flags, so completion offers exactly what the parser accepts.
import { Command } from 'commander';

export const buildTuiCommand = (): Command =>
  new Command('tui')
    .description('Attach the terminal UI to a running kubefwd (no sudo needed)')
    .option(
      '--api-url <url>',
      'base URL of the kubefwd REST API (default: found through ~/.kubefwd/api.json)',
    )
    .option('--api-key <key>', 'API key (default: KUBEFWD_API_KEY or ~/.kubefwd/api.json)')
    .option('--theme <theme>', 'colours: dark or light (env KUBEFWD_THEME)');
