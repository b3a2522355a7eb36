import { describe, expect, it } from 'vitest';
import { engineEnv, selfCommand } from './sudo-mode.js';

describe('sudo mode', () => {
  it("the engine gets the user's HOME and name, the helper variable, and none of sudo's variables", () => {
    const env = engineEnv(
      {
        HOME: '/root',
        KUBECONFIG: '/home/ann/.kube/a:/home/ann/.kube/b',
        SUDO_UID: '1000',
        SUDO_GID: '1000',
        SUDO_USER: 'ann',
        SUDO_COMMAND: 'kubefwd',
        PATH: '/usr/bin',
      },
      { uid: 1000, gid: 1000, name: 'ann', home: '/home/ann' },
    );
    expect(env).toEqual({
      HOME: '/home/ann',
      USER: 'ann',
      LOGNAME: 'ann',
      KUBECONFIG: '/home/ann/.kube/a:/home/ann/.kube/b',
      PATH: '/usr/bin',
      KUBEFWD_HELPER: 'ipc',
    });
  });

  it('starts the same kubefwd again: Node and the launcher, or the single executable alone', () => {
    const [cmd, args] = selfCommand(['demo', '-v'], false);
    expect(cmd).toBe(process.execPath);
    expect(args.slice(-2)).toEqual(['demo', '-v']);
    expect(args).toContain(process.argv[1]);
    expect(selfCommand(['demo'], true)).toEqual([process.execPath, ['demo']]);
  });
});
