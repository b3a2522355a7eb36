import { describe, expect, it } from 'vitest';
import { effectiveHome, invokingUserFrom, parsePasswd } from './invoking-user.js';

const passwd = `root:x:0:0:root:/root:/bin/bash
# comment
dev:x:1000:1001:Dev:/home/dev:/bin/bash
other:x:1002:1002::/srv/other:/bin/sh
broken line
`;

describe('invokingUserFrom', () => {
  it('is undefined unless root under sudo', () => {
    expect(invokingUserFrom({ SUDO_UID: '1000' }, 1000, passwd)).toBeUndefined();
    expect(invokingUserFrom({}, 0, passwd)).toBeUndefined();
    expect(invokingUserFrom({ SUDO_UID: '0', SUDO_USER: 'root' }, 0, passwd)).toBeUndefined();
    expect(invokingUserFrom({ SUDO_UID: 'abc' }, 0, passwd)).toBeUndefined();
  });

  it('takes uid/gid from SUDO_* and the home from /etc/passwd', () => {
    expect(
      invokingUserFrom({ SUDO_UID: '1000', SUDO_GID: '1001', SUDO_USER: 'dev', HOME: '/root' }, 0, passwd),
    ).toEqual({
      uid: 1000,
      gid: 1001,
      name: 'dev',
      home: '/home/dev',
      sudo: true,
    });
    // No SUDO_GID / SUDO_USER: found by uid.
    expect(invokingUserFrom({ SUDO_UID: '1002' }, 0, passwd)).toEqual({
      uid: 1002,
      gid: 1002,
      name: 'other',
      home: '/srv/other',
      sudo: true,
    });
  });

  it('guesses the platform home when the user is not in /etc/passwd (macOS)', () => {
    expect(
      invokingUserFrom({ SUDO_UID: '501', SUDO_GID: '20', SUDO_USER: 'mac' }, 0, undefined, 'darwin')?.home,
    ).toBe('/Users/mac');
    expect(invokingUserFrom({ SUDO_UID: '1500', SUDO_USER: 'x' }, 0, passwd, 'linux')?.home).toBe('/home/x');
  });

  it('effectiveHome prefers the invoking user, then $HOME', () => {
    expect(effectiveHome({ HOME: '/root' }, { uid: 1, gid: 1, name: 'u', home: '/home/u', sudo: true })).toBe(
      '/home/u',
    );
    expect(effectiveHome({ HOME: '/tmp/h' }, undefined)).toBe('/tmp/h');
  });

  it('parsePasswd skips comments and broken lines', () => {
    expect(parsePasswd(passwd).map((e) => e.name)).toEqual(['root', 'dev', 'other']);
  });
});
