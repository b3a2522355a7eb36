// `kubefwd svc`: checks privileges, then runs the daemon until a signal (or the TUI) ends it.
import { KubefwdError } from '../../contract/errors.js';
import type { DaemonConfig } from '../../daemon/config.js';
import type { Machine } from '../../daemon/helper-client.js';
import { runDaemon } from '../../daemon/index.js';
import type { CliIo } from '../io.js';
import { privilegeHint } from '../../os/privilege.js';
import { commandForSudo } from '../../os/sudo-command.js';
import { seaRunning } from '../../helper/sudo-mode.js';
import { testHooks } from '../test-hooks.js';
import { shellQuote } from '../../domain/shell-quote.js';

/**
 * Root is needed for the system hosts file, low ports and (macOS) loopback aliases. Without root,
 * kubefwd runs only against a hosts file named with --hosts-path (tests, dnsmasq setups) and says
 * what will not work.
 */
export const checkPrivileges = async (
  config: DaemonConfig,
  argv: readonly string[],
): Promise<string | undefined> => {
  if (config.root) return undefined;
  if (!config.hostsPathExplicit) {
    const args = argv.map(shellQuote).join(' ');
    const cmd = `kubefwd ${args}`.trim();
    // Named so that sudo, which replaces PATH, runs this kubefwd (an nvm install, a checkout).
    const self = (await seaRunning()) ? process.execPath : (process.argv[1] ?? process.execPath);
    const asRoot = shellQuote(commandForSudo(self, config.env.PATH));
    const who =
      process.platform === 'win32'
        ? 'not an elevated Administrator'
        : `not root (uid ${process.getuid?.() ?? '?'})`;
    throw new KubefwdError(
      'NOT_ROOT',
      `superuser privileges are needed to edit ${config.hostsPath} and bind 127.x.x.x addresses, and this process is ${who}`,
      {
        hint:
          process.platform === 'win32'
            ? privilegeHint(process.platform, cmd)
            : `${privilegeHint(process.platform, `${asRoot} ${args}`.trim())} — or once: sudo ${asRoot} helper install (then plain \`${cmd}\` needs no sudo). To try it without root: --hosts-path <a file you can write> (the names then resolve only through that file).`,
        field: 'uid',
      },
    );
  }
  return 'Not running as root: ports below 1024 cannot be bound (those forwards will show an error); run with sudo -E for the full product.';
};

/** The helper to run beside (from privilege-mode.ts), or why there is none. */
export interface PrivilegeChoice {
  machine?: Machine;
  notice?: string;
}

export const runSvc = async (
  config: DaemonConfig,
  io: CliIo,
  argv: readonly string[],
  announce?: () => void,
  privilege: PrivilegeChoice = {},
): Promise<number> => {
  const warning = await checkPrivileges(config, argv);
  return runDaemon(config, io, {
    ...(warning ? { warnings: [warning] } : {}),
    ...(privilege.notice ? { notices: [privilege.notice] } : {}),
    ...(privilege.machine ? { machine: privilege.machine } : {}),
    ...(announce ? { onChecked: announce } : {}),
    ...testHooks(config.env),
  });
};
