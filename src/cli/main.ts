// argv → command → exit code. The only layer that decides exit codes; bin.ts sets process.exitCode.
import type { Command } from 'commander';
import { rewriteArgs, normaliseFlags, wantsTui } from './argv.js';
import { banner } from './banner.js';
import { helpText, setUpCommand } from './command-setup.js';
import { reportError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import type { RawSvcOptions } from './svc-options.js';
import { kubefwdVersion } from './version.js';

const ROOT_HELP = (v: string): string => `kubefwd ${v} — Expose Kubernetes services for local development.

Each service gets its own loopback IP (127.x.x.x), so several services can use the same port; their
names go into the hosts file, so \`curl http://api-gateway:8080\` works unchanged. Forwards follow
pods as they come and go.

Modes:
  Idle       no -n: the REST API is on, nothing is forwarded; add namespaces/services through it
  Namespace  -n ns (repeatable): forward every service of the namespaces
  All        -A, --all-namespaces

Usage:
  kubefwd [svc|services|svcs] [flags]   forward services (run \`kubefwd svc --help\` for the flags)
  kubefwd mcp [--api-url URL] [--api-key KEY] [--http [host:port]] [-v]
                                        MCP server for AI assistants (no sudo needed)
  kubefwd tui                           attach the terminal UI to a running kubefwd
  kubefwd open [--print-url]            open the dashboard of a running kubefwd in the browser
  kubefwd sim [--dir DIR] [-f FILE]     run a simulated Kubernetes cluster (prints its kubeconfig)
  kubefwd demo [flags]                  forward the simulated cluster's sample namespace
  kubefwd helper install|status|uninstall
                                        the privileged helper as a service: no sudo after it
  kubefwd version [quiet]               print the version
  kubefwd completion bash|zsh|fish|powershell
                                        print a shell completion script (--help: how to install)

Examples:
  sudo -E kubefwd
  sudo -E kubefwd --tui
  sudo -E kubefwd -n myapp
  sudo -E kubefwd -n ns1 -n ns2
  sudo -E kubefwd -A
  sudo -E kubefwd -n myapp -l app=web
  kubefwd mcp
  kubefwd version
`;

/** Parses a commander command over argv, mapping help/usage errors to exit codes. */
const parseWith = (cmd: Command, argv: readonly string[], io: CliIo): number | undefined => {
  setUpCommand(cmd, io);
  try {
    cmd.parse(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    // By code, not `instanceof CommanderError`: commander itself is loaded only by the commands
    // that parse with it (start-up time of `version` and `mcp`).
    const code = (err as { code?: unknown }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.help') return 0;
    return reportError(io, err, cmd.name());
  }
};

/** The overview (commands first, as kubectl and kubefwd do), then the flags of svc, the default command. */
const rootHelp = async (): Promise<string> => {
  // Loaded here, not at the top: svc's option parsing (yaml and friends) is not needed to start.
  const { buildSvcCommand } = await import('./svc-options.js');
  return `${ROOT_HELP(kubefwdVersion())}\nFlags of svc (the default command):\n${helpText(buildSvcCommand())
    .split('\n')
    .filter((l, i, all) => i > all.findIndex((x) => x === 'Options:'))
    .join('\n')}`;
};

const runSvcLike = async (
  name: 'svc' | 'demo',
  argv: readonly string[],
  io: CliIo,
  fullArgv: readonly string[],
): Promise<number> => {
  // Loaded here, not at the top: the svc flags pull in the daemon's configuration (YAML and all),
  // which `version`, `mcp` and shell completion (run on every Tab) do not need.
  const { BOOL_LONG, BOOL_SHORT, VALUE_SHORT, buildSvcCommand, toDaemonConfig } =
    await import('./svc-options.js');
  const cmd = buildSvcCommand(name);
  let normalised: string[];
  try {
    normalised = normaliseFlags(argv, {
      boolLong: BOOL_LONG,
      boolShort: BOOL_SHORT,
      valueShort: VALUE_SHORT,
    });
  } catch (err) {
    return reportError(io, err);
  }
  const code = parseWith(cmd, normalised, io);
  if (code !== undefined) return code;
  const version = kubefwdVersion();
  try {
    const raw = cmd.opts<RawSvcOptions>();
    if (
      name === 'demo' &&
      (raw.namespace === undefined || raw.namespace.length === 0) &&
      raw.allNamespaces !== true
    )
      raw.namespace = ['shop'];
    const { isRoot } = await import('../os/privilege.js');
    let config = await toDaemonConfig(raw, (o) => cmd.getOptionValueSource(o) === 'cli', {
      version,
      env: io.env,
      root: isRoot(),
    });
    // Root only where root is needed: under sudo this process keeps only the helper.
    const { choosePrivilegeMode } = await import('./privilege-mode.js');
    const mode = await choosePrivilegeMode(config, io.env);
    if (mode.kind === 'separate') {
      const { runEngineAsUser } = await import('../helper/sudo-mode.js');
      return await runEngineAsUser({
        argv: fullArgv,
        hostsPath: config.hostsPath,
        user: mode.user,
        env: io.env,
      });
    }
    const machine = mode.kind === 'helper' ? mode.machine : undefined;
    if (machine) config = { ...config, root: true, hostsPath: machine.hostsPath };
    const privilege = {
      ...(machine ? { machine } : {}),
      ...(mode.kind === 'alone' && mode.notice ? { notice: mode.notice } : {}),
    };
    if (cmd.args.length > 0)
      io.stderr.write(`kubefwd: ignoring argument(s) ${cmd.args.join(' ')} (use -n to name namespaces)\n`);
    // The banner comes once the inputs are checked: an error in them is the first thing printed.
    const announce = (): void => {
      if (!wantsTui(fullArgv) && !config.jsonLogs) io.stdout.write(banner(version));
    };
    if (name === 'demo') {
      const { runDemo } = await import('./commands/demo.js');
      return await runDemo(config, io, fullArgv, announce, privilege);
    }
    const { runSvc } = await import('./commands/svc.js');
    return await runSvc(config, io, fullArgv, announce, privilege);
  } catch (err) {
    return reportError(io, err);
  }
};

export const main = async (argv: readonly string[], io: CliIo = processIo()): Promise<number> => {
  // Fast path, as kubefwd: exactly `version quiet` prints the bare version.
  if (argv.length === 2 && argv[0] === 'version' && argv[1] === 'quiet') {
    io.stdout.write(`${kubefwdVersion()}\n`);
    return 0;
  }
  // `kubefwd --help` is the overview, not svc's help (argument rewriting would make it svc's).
  if (argv[0] === '--help' || argv[0] === '-h') return main(['help'], io);
  // What most tools answer to (kubefwd's root has no flags, and would call it unknown).
  if (argv.length === 1 && argv[0] === '--version') return main(['version'], io);
  const args = rewriteArgs(argv);
  const [command, ...rest] = args;
  switch (command) {
    case 'svc':
    case 'svcs':
    case 'services':
      return runSvcLike('svc', rest, io, argv);
    case 'demo':
      return runSvcLike('demo', rest, io, argv);
    case 'version':
      io.stdout.write(`Kubefwd version: ${kubefwdVersion()}\nhttps://kubefwd.com\n`);
      return 0;
    case 'help':
      if (rest[0] !== undefined && rest[0] !== 'help') return main([rest[0], '--help'], io);
      io.stdout.write(await rootHelp());
      return 0;
    case 'completion': {
      const { runCompletionCommand } = await import('./completion/completion-command.js');
      return runCompletionCommand(rest, io);
    }
    case '__complete': {
      const { runCompleteCommand } = await import('./completion/complete-command.js');
      return runCompleteCommand(rest, io);
    }
    case 'mcp': {
      const { runMcpCommand } = await import('./commands/mcp.js');
      return runMcpCommand(rest, io);
    }
    case 'tui': {
      const { runTuiCommand } = await import('./commands/tui.js');
      return runTuiCommand(rest, io);
    }
    case 'open': {
      const { runOpenCommand } = await import('./commands/open.js');
      return runOpenCommand(rest, io);
    }
    case 'helper': {
      const { runHelperCommand } = await import('./commands/helper.js');
      return runHelperCommand(rest, io);
    }
    case 'sim': {
      const { runSimCommand } = await import('./commands/sim.js');
      return runSimCommand(rest, io);
    }
    default:
      return reportError(io, new Error(`unknown command ${command ?? ''}`));
  }
};
