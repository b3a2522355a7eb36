import { describe, expect, it } from 'vitest';
import { invokingUserFrom, isRootUid } from './privilege.js';

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
