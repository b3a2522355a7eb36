// Every kubefwd subcommand's commander set-up in one place: help and errors go to the CLI's io,
// help/usage errors become exit codes instead of process.exit, and the usage line names the
// program (`Usage: kubefwd demo [options]`, not `Usage: demo [options]`).
import type { Command } from 'commander';
import type { CliIo } from './io.js';

export const setUpCommand = (cmd: Command, io: Pick<CliIo, 'stdout'>): Command =>
  cmd
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: () => undefined })
    .configureHelp({
      commandUsage: (c) => `kubefwd ${[c.name(), ...c.aliases()].join('|')} ${c.usage()}`,
    })
    .helpOption('-h, --help', 'help for this command');

/** The help commander prints for `cmd` (used to append svc's flags to the overview). */
export const helpText = (cmd: Command): string =>
  setUpCommand(cmd, { stdout: { write: () => undefined } }).helpInformation();
