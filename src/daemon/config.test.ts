import { describe, expect, it } from 'vitest';
import { announcedApiUrl, idleNamespaceHint } from './config.js';

describe('announcedApiUrl', () => {
  it('names kubefwd.internal on the well-known address with the system hosts file', () => {
    expect(
      announcedApiUrl({ wellKnown: true, hostsPathExplicit: false, listenUrl: 'http://127.2.27.1' }),
    ).toBe('http://kubefwd.internal');
  });
  it('gives the address with --hosts-path, where the name resolves nowhere', () => {
    expect(
      announcedApiUrl({ wellKnown: true, hostsPathExplicit: true, listenUrl: 'http://127.2.27.1' }),
    ).toBe('http://127.2.27.1');
  });
  it('gives the listen address when the API is not on the well-known one', () => {
    expect(
      announcedApiUrl({ wellKnown: false, hostsPathExplicit: false, listenUrl: 'http://127.0.0.1:43121' }),
    ).toBe('http://127.0.0.1:43121');
  });
});

describe('idleNamespaceHint', () => {
  const base = { contexts: [] as string[], hostsPath: '/etc/hosts', hostsPathExplicit: false };
  it('the command works as printed: it carries -c, -x and --hosts-path when this run was given them', () => {
    expect(
      idleNamespaceHint(
        {
          kubeconfigPath: '/tmp/sim dir/kubeconfig',
          contexts: ['sim'],
          hostsPath: '/tmp/hosts',
          hostsPathExplicit: true,
        },
        'sim',
        'default',
      ),
    ).toBe(
      "To forward namespace default of context sim: add it through the API, the TUI or MCP, or stop this kubefwd and run kubefwd svc -n default -c '/tmp/sim dir/kubeconfig' -x sim --hosts-path /tmp/hosts",
    );
  });
  it('without them, only -n', () => {
    expect(idleNamespaceHint(base, 'prod', 'web')).toMatch(/ run kubefwd svc -n web$/);
  });
});
