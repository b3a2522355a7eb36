import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { listenFailureLine } from './listen-failure.js';

const plan = (port: number, localPort = port) =>
  ({ port, localPort, targetPort: String(port), protocol: 'TCP' }) as const;

describe('listenFailureLine', () => {
  it('a privileged port: in Error, why, and both fixes (root, or -m to a port above 1024)', () => {
    const err = new KubefwdError(
      'NOT_ROOT',
      'binding 127.1.27.2:443 needs root (ports below 1024 are privileged)',
      {
        field: '127.1.27.2:443',
      },
    );
    expect(listenFailureLine('auth.shop', '127.1.27.2', plan(443), err)).toBe(
      'auth.shop is in Error: binding 127.1.27.2:443 needs root (ports below 1024 are privileged); ' +
        'run kubefwd as root (sudo -E kubefwd …), or map the port above 1024 with -m 443:8443',
    );
  });

  it('a port held by another program: names the service port in the -m hint, not the local one', () => {
    const err = new KubefwdError('PORT_IN_USE', '127.9.9.9:8081 is already in use by another program', {
      field: '127.9.9.9:8081',
    });
    expect(listenFailureLine('api.shop', '127.9.9.9', plan(81, 8081), err)).toBe(
      'api.shop is in Error: 127.9.9.9:8081 is already in use by another program; ' +
        'stop the program that holds it, or map the port elsewhere with -m 81:<free port>',
    );
  });

  it('an error that names its own fix (a reserved address held by another kubefwd) gets no second hint', () => {
    const msg =
      'reserved address 127.9.9.9 is used by another kubefwd (pid 7); stop that kubefwd or reserve another address';
    const err = new KubefwdError('PORT_IN_USE', msg, { field: '127.9.9.9' });
    expect(listenFailureLine('api.shop', '127.9.9.9', plan(80), err)).toBe(`api.shop is in Error: ${msg}`);
  });

  it('an unexpected error without a field says which address it was about, without the generic hint', () => {
    const err = new KubefwdError('INTERNAL', 'EMFILE');
    expect(listenFailureLine('api.shop', '127.9.9.9', plan(80), err)).toBe(
      'api.shop is in Error: cannot listen on 127.9.9.9:80: EMFILE',
    );
  });
});
