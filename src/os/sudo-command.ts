// How to name this kubefwd in a command the user will run with sudo. sudo replaces PATH with its
// secure_path, so `sudo -E kubefwd` finds only a kubefwd in /usr/local/bin and the like; one
// installed by npm under nvm, fnm, Volta or a user prefix, or run from a checkout, must be named
// by its path (which also keeps sudo from running a different kubefwd found first).
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** sudo's default secure_path (Debian, Ubuntu, Fedora; /snap/bin on Ubuntu). */
const SECURE_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
  '/snap/bin',
];

const realpathOrUndefined = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

/**
 * `kubefwd` when sudo's secure_path leads to this same kubefwd (`self`: the launcher or the
 * executable); else the path the user's PATH reaches it by (the npm bin link); else `self`.
 */
export const commandForSudo = (
  self: string,
  pathVar: string | undefined,
  real: (path: string) => string | undefined = realpathOrUndefined,
): string => {
  const me = real(self);
  if (me === undefined) return self;
  const isMe = (dir: string): boolean => dir !== '' && real(join(dir, 'kubefwd')) === me;
  if (SECURE_PATH.some(isMe)) return 'kubefwd';
  const onPath = (pathVar ?? '').split(delimiter).find(isMe);
  return onPath === undefined ? self : join(onPath, 'kubefwd');
};
