import { describe, expect, it } from 'vitest';
import type { spawnSync } from 'node:child_process';
import { invokingUserFrom, isPrivileged, isRootUid, privilegeHint, windowsElevated } from './privilege.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n';

describe('privilege', () => {
  it('root is uid 0', () => {
    expect(isRootUid(0)).toBe(true);
    expect(isRootUid(1000)).toBe(false);
    expect(isRootUid(undefined)).toBe(false);
  });

  it('under sudo: the invoking user, home from passwd when HOME is root’s', () => {
    expect(
      invokingUserFrom({
        uid: 0,
        env: { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'alice', HOME: '/root' },
        passwd,
      }),
    ).toEqual({ uid: 1000, gid: 1000, name: 'alice', home: '/home/alice', sudo: true });
  });

  it('under sudo -E: HOME is kept', () => {
    expect(
      invokingUserFrom({
        uid: 0,
        env: { SUDO_UID: '1000', SUDO_GID: '50', SUDO_USER: 'alice', HOME: '/tmp/h' },
        passwd,
      }).home,
    ).toBe('/tmp/h');
  });

  it('not under sudo: own user and HOME', () => {
    expect(invokingUserFrom({ uid: 1000, env: { HOME: '/tmp/x', SUDO_UID: '5' } })).toMatchObject({
      uid: undefined,
      home: '/tmp/x',
      sudo: false,
    });
    expect(invokingUserFrom({ uid: 0, env: { HOME: '/root' } }).sudo).toBe(false);
  });
});

describe('privilege on each platform', () => {
  const never = (): boolean => {
    throw new Error('windowsElevated must not be asked here');
  };

  it('Linux and macOS: uid 0; Windows: an elevated Administrator (process.getuid is undefined there)', () => {
    expect(isPrivileged({ platform: 'linux', uid: 0, windowsElevated: never })).toBe(true);
    expect(isPrivileged({ platform: 'darwin', uid: 501, windowsElevated: never })).toBe(false);
    expect(isPrivileged({ platform: 'win32', uid: undefined, windowsElevated: () => true })).toBe(true);
    expect(isPrivileged({ platform: 'win32', uid: undefined, windowsElevated: () => false })).toBe(false);
  });

  it('elevation is the exit status of `net session`, run hidden', () => {
    const calls: unknown[][] = [];
    const run = ((cmd: string, args: string[], opts: object) => {
      calls.push([cmd, args, opts]);
      return { status: calls.length === 1 ? 0 : 2 };
    }) as unknown as typeof spawnSync;
    expect(windowsElevated(run)).toBe(true);
    expect(windowsElevated(run)).toBe(false);
    expect(calls[0]).toEqual([
      'net',
      ['session'],
      expect.objectContaining({ windowsHide: true, stdio: 'ignore' }),
    ]);
  });

  it('the hint says how each platform elevates', () => {
    expect(privilegeHint('linux', 'kubefwd -n shop')).toBe('Run it with: sudo -E kubefwd -n shop');
    expect(privilegeHint('win32', 'kubefwd -n shop')).toMatch(/Run as administrator.*kubefwd -n shop/);
  });
});
