// Who really runs kubefwd. Under `sudo`, the process is root but the kubeconfig, the exec plugins'
// caches and ~/.kube belong to the user who typed the command (SUDO_USER/SUDO_UID/SUDO_GID). Using
// root's home or running plugins as root leaves root-owned files in the user's home (kubefwd#285).
// kube/ may not import os/, so this small reader lives here (the shape is domain/invoking-user's);
// it is pure except `readInvokingUser`.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { SudoUser } from '../domain/invoking-user.js';

export type { SudoUser };

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, uid, gid, home: f[5]! });
  }
  return out;
}

const toId = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
};

/**
 * The user behind `sudo`, or undefined when not running as root under sudo. `passwd` is the text of
 * /etc/passwd (may be absent, e.g. macOS users live in Directory Services; then the home is guessed
 * from the platform's convention).
 */
export function invokingUserFrom(
  env: NodeJS.ProcessEnv,
  currentUid: number | undefined,
  passwd: string | undefined,
  platform: NodeJS.Platform = process.platform,
): SudoUser | undefined {
  if (currentUid !== 0) return undefined;
  const uid = toId(env.SUDO_UID);
  if (uid === undefined || uid === 0) return undefined;
  const entries = passwd === undefined ? [] : parsePasswd(passwd);
  const entry =
    entries.find((e) => env.SUDO_USER !== undefined && e.name === env.SUDO_USER && e.uid === uid) ??
    entries.find((e) => e.uid === uid);
  const username = env.SUDO_USER ?? entry?.name ?? String(uid);
  const gid = toId(env.SUDO_GID) ?? entry?.gid ?? uid;
  const home = entry?.home ?? (platform === 'darwin' ? `/Users/${username}` : `/home/${username}`);
  return { uid, gid, name: username, home, sudo: true };
}

/** Reads the real process identity and /etc/passwd. */
export function readInvokingUser(env: NodeJS.ProcessEnv): SudoUser | undefined {
  let passwd: string | undefined;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    passwd = undefined;
  }
  return invokingUserFrom(env, process.getuid?.(), passwd);
}

/** The home directory kubectl would use: the invoking user's under sudo, else $HOME, else the OS's. */
export function effectiveHome(env: NodeJS.ProcessEnv, invoking: SudoUser | undefined): string {
  if (invoking) return invoking.home;
  return env.HOME && env.HOME !== '' ? env.HOME : homedir();
}
