// The `kubefwd open` command line, apart from running it (completion reads the same flags).
import { Command } from 'commander';

export const buildOpenCommand = (): Command =>
  new Command('open')
    .description(
      'Open the dashboard of a running kubefwd in the browser, logged in by a one-time link (no sudo needed)',
    )
    .option('--print-url', 'only print the one-time link (for scripts, or another browser)')
    .option(
      '--api-url <url>',
      'base URL of the kubefwd REST API (default: found through ~/.kubefwd/api.json)',
    )
    .option('--api-key <key>', 'API key (default: KUBEFWD_API_KEY or ~/.kubefwd/api.json)');
