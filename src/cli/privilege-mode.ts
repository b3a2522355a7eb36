// Which of the ways to run applies (README "Root only where root is needed"):
// - `sudo -E kubefwd …` (root, SUDO_UID of a user): this process becomes the privileged helper and
//   runs the engine as that user (helper/sudo-mode.ts);
// - the user, beside an installed helper (`sudo kubefwd helper install`): the engine uses it;
// - root with no user to drop to (a root shell, a container), or KUBEFWD_PRIVSEP=0: all in one process;
// - the user without a helper: only an explicit --hosts-path works (svc.ts says both ways otherwise).
import { realpath } from 'node:fs/promises';
import type { DaemonConfig } from '../daemon/config.js';
import { connectMachine, type Machine } from '../daemon/helper-client.js';
import { ownBlockId } from '../daemon/stale-blocks.js';
import { invokingUser } from '../os/privilege.js';
import type { EngineUser } from '../helper/sudo-mode.js';

export type PrivilegeMode =
  | { kind: 'separate'; user: EngineUser }
  | { kind: 'helper'; machine: Machine }
  | { kind: 'alone'; notice?: string };

const samePath = async (a: string, b: string): Promise<boolean> => {
  const real = (p: string): Promise<string> => realpath(p).catch(() => p);
  return (await real(a)) === (await real(b));
};

export const choosePrivilegeMode = async (
  config: DaemonConfig,
  env: NodeJS.ProcessEnv,
): Promise<PrivilegeMode> => {
  if (process.platform === 'win32') return { kind: 'alone' };
  if (config.root) {
    const user = invokingUser(env);
    if (!user.sudo || user.uid === undefined || env.KUBEFWD_PRIVSEP === '0') return { kind: 'alone' };
    return {
      kind: 'separate',
      user: { uid: user.uid, gid: user.gid ?? user.uid, name: user.name, home: user.home },
    };
  }
  const machine = await connectMachine(env, ownBlockId());
  if (!machine) return { kind: 'alone' };
  // The helper's hosts file is the hosts file, unless --hosts-path names another one on purpose.
  if (config.hostsPathExplicit && !(await samePath(machine.hostsPath, config.hostsPath))) {
    machine.close();
    return {
      kind: 'alone',
      notice: `The installed helper manages ${machine.hostsPath}, not ${config.hostsPath}: running without it`,
    };
  }
  return { kind: 'helper', machine };
};
