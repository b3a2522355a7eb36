// Who runs kubefwd and with which rights. Under `sudo` the process is root, but files it writes into
// the user's home (hosts backup, API key file) must belong to the user who typed the command
// (SUDO_UID/SUDO_GID), or they become root-owned (kubefwd#285).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import type { InvokingUser } from '../domain/invoking-user.js';

export type { InvokingUser };

/** What the process looks like from the inside; injectable for tests. */
export interface ProcessIdentity {
  uid: number | undefined;
  env: NodeJS.ProcessEnv;
  /** Text of /etc/passwd, when readable. */
  passwd?: string;
  platform?: NodeJS.Platform;
}

export const isRootUid = (uid: number | undefined): boolean => uid === 0;

/** What decides privilege: uid 0 on Linux and macOS; an elevated Administrator on Windows. */
export interface PrivilegeProbe {
  platform: NodeJS.Platform;
  uid: number | undefined;
  /** Windows only (process.getuid does not exist there). */
  windowsElevated: () => boolean;
}

export const isPrivileged = (p: PrivilegeProbe): boolean =>
  p.platform === 'win32' ? p.windowsElevated() : isRootUid(p.uid);

/**
 * `net session` lists the machine's SMB sessions, which only an elevated Administrator may do: its
 * exit status says whether this process runs "as administrator" (UAC), and it changes nothing.
 */
export const windowsElevated = (run: typeof spawnSync = spawnSync): boolean =>
  run('net', ['session'], { stdio: 'ignore', windowsHide: true, timeout: 5000 }).status === 0;

/** True when this process may edit the system hosts file and bind low ports. */
export const isRoot = (): boolean =>
  isPrivileged({ platform: process.platform, uid: process.getuid?.(), windowsElevated });

/** How to get the privileges kubefwd needs for `argv`, said the way the platform does it. */
export const privilegeHint = (platform: NodeJS.Platform, command: string): string =>
  platform === 'win32'
    ? `Run it from a terminal opened with "Run as administrator": ${command}`
    : `Run it with: sudo -E ${command}`;

const toId = (v: string | undefined): number | undefined =>
  v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;

const passwdHome = (
  passwd: string | undefined,
  uid: number,
  name: string | undefined,
): string | undefined => {
  if (passwd === undefined) return undefined;
  let byUid: string | undefined;
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || f[5] === undefined) continue;
    if (Number(f[2]) !== uid) continue;
    if (name !== undefined && f[0] === name) return f[5];
    byUid ??= f[5];
  }
  return byUid;
};

/**
 * The invoking user. Under sudo: SUDO_UID/SUDO_GID/SUDO_USER; the home is $HOME when sudo kept it
 * (`sudo -E`, and tests that point HOME at a temp dir), else the user's home from /etc/passwd.
 * Not under sudo: the process's own user and $HOME.
 */
export const invokingUserFrom = (id: ProcessIdentity): InvokingUser => {
  const envHome = id.env.HOME !== undefined && id.env.HOME !== '' ? id.env.HOME : undefined;
  const sudoUid = toId(id.env.SUDO_UID);
  if (id.uid === 0 && sudoUid !== undefined && sudoUid !== 0) {
    const name = id.env.SUDO_USER !== undefined && id.env.SUDO_USER !== '' ? id.env.SUDO_USER : undefined;
    const gid = toId(id.env.SUDO_GID) ?? sudoUid;
    const rootHome = id.platform === 'darwin' ? '/var/root' : '/root';
    const fromPasswd = passwdHome(id.passwd, sudoUid, name);
    const guessed =
      name === undefined ? undefined : id.platform === 'darwin' ? `/Users/${name}` : `/home/${name}`;
    const home =
      envHome !== undefined && envHome !== rootHome
        ? envHome
        : (fromPasswd ?? guessed ?? envHome ?? rootHome);
    return { uid: sudoUid, gid, name, home, sudo: true };
  }
  return { uid: undefined, gid: undefined, name: id.env.USER, home: envHome ?? homedir(), sudo: false };
};

/** Reads the real process identity. */
export const invokingUser = (env: NodeJS.ProcessEnv = process.env): InvokingUser => {
  let passwd: string | undefined;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    passwd = undefined;
  }
  return invokingUserFrom({ uid: process.getuid?.(), env, passwd, platform: process.platform });
};
