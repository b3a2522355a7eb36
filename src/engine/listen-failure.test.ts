import { describe, expect, it } from 'vitest';
import { KubefwdError } from '../contract/errors.js';
import { listenFailureLine, portTakenEverywhere } from './listen-failure.js';

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

  it('a port held on all addresses: names the port, that no address escapes it, and a -m to a port beside it', () => {
    const err = portTakenEverywhere(plan(8123));
    expect(err).toMatchObject({ code: 'PORT_IN_USE', field: undefined });
    expect(listenFailureLine('b1.sandbox', '127.1.27.5', plan(8123), err)).toBe(
      'b1.sandbox is in Error: cannot listen on 127.1.27.5:8123: port 8123 is already in use by another ' +
        'program that listens on it on all addresses (0.0.0.0 or [::]), so no other address can take it; ' +
        'stop that program, or map the port elsewhere with -m 8123:18123',
    );
    expect(err.hint).toBe(
      "Stop the program that listens on port 8123 (`ss -ltnp 'sport = :8123'` or `lsof -nP -iTCP:8123 -sTCP:LISTEN` names it), or map the port elsewhere with -m 8123:18123.",
    );
    // The service port in -m, the local one moved aside; no room above 65535.
    expect(portTakenEverywhere(plan(81, 8081)).message).toMatch(/-m 81:18081$/);
    expect(portTakenEverywhere(plan(60000)).message).toMatch(/-m 60000:<free port>$/);
  });
});
