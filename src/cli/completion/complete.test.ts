import { describe, expect, it } from 'vitest';
import { complete, type CompletionSources } from './complete.js';

interface Calls {
  contexts: { kubeconfig?: string }[];
  namespaces: { kubeconfig?: string; contexts: string[] }[];
}

/** Sources with fixed answers that record what they were asked. */
const fake = (
  contexts: string[] = ['prod', 'dev', 'staging'],
  namespaces: string[] = ['shop', 'analytics', 'default', 'sandbox'],
): CompletionSources & { calls: Calls } => {
  const calls: Calls = { contexts: [], namespaces: [] };
  return {
    calls,
    contexts: (o) => {
      calls.contexts.push(o);
      return contexts;
    },
    namespaces: async (o) => {
      calls.namespaces.push(o);
      return namespaces;
    },
  };
};

const failing: CompletionSources = {
  contexts: () => {
    throw new Error('kubeconfig /nope does not exist');
  },
  namespaces: () => Promise.reject(new Error('connect ECONNREFUSED')),
};

const cands = async (words: string[], current: string, sources: CompletionSources = fake()) =>
  (await complete(words, current, sources)).candidates;

describe('first position', () => {
  it('offers the subcommands, not the internal __complete', async () => {
    expect((await cands([], '')).sort()).toEqual(
      [
        'svc',
        'services',
        'svcs',
        'mcp',
        'tui',
        'open',
        'helper',
        'sim',
        'demo',
        'version',
        'help',
        'completion',
      ].sort(),
    );
    expect((await cands([], 'sv')).sort()).toEqual(['svc', 'svcs']);
    expect(await cands([], 'co')).toEqual(['completion']);
    expect(await cands([], '__')).toEqual([]);
  });

  it('helper offers its actions', async () => {
    expect(await cands(['helper'], '')).toEqual(['install', 'status', 'uninstall']);
    expect(await cands(['helper'], 'u')).toEqual(['uninstall']);
  });

  it('a flag there is a svc flag (a bare `kubefwd -n shop` means svc)', async () => {
    expect(await cands([], '--names')).toEqual(['--namespace']);
    expect(await cands(['-n', 'shop'], '--tu')).toEqual(['--tui']);
    expect(await cands(['-A'], '-n')).toEqual(['-n']);
  });
});

describe('flags of each command', () => {
  it('svc (and its aliases): every visible flag, long and short; hidden --no-… spellings are not offered', async () => {
    const long = await cands(['svc'], '--');
    for (const f of [
      '--kubeconfig',
      '--context',
      '--namespace',
      '--all-namespaces',
      '--selector',
      '--field-selector',
      '--hosts-path',
      '--tui',
      '--api',
      '--auto-reconnect',
      '--transport',
      '--api-listen',
      '--json-logs',
      '--service',
      '--exclude',
      '--help',
    ])
      expect(long).toContain(f);
    expect(long.filter((f) => f.startsWith('--no-'))).toEqual([]);
    expect(long.every((f) => f.startsWith('--'))).toBe(true);
    const all = await cands(['svc'], '-');
    for (const s of [
      '-c',
      '-x',
      '-n',
      '-A',
      '-l',
      '-f',
      '-m',
      '-r',
      '-z',
      '-t',
      '-b',
      '-p',
      '-a',
      '-v',
      '-h',
    ])
      expect(all).toContain(s);
    expect(await cands(['services'], '--json')).toEqual(['--json-logs']);
    expect(await cands(['svcs'], '--no-')).toEqual([]);
  });

  it('demo has the svc flags', async () => {
    expect(await cands(['demo'], '--')).toEqual(await cands(['svc'], '--'));
  });

  it('mcp, tui, sim, completion: their own flags', async () => {
    expect(await cands(['mcp'], '--')).toEqual(['--api-url', '--api-key', '--http', '--verbose', '--help']);
    expect(await cands(['tui'], '--')).toEqual(['--api-url', '--api-key', '--theme', '--help']);
    expect(await cands(['tui'], '--n')).toEqual([]);
    const sim = await cands(['sim'], '-');
    for (const f of [
      '--dir',
      '--filename',
      '-f',
      '--port',
      '--ready-delay',
      '--context',
      '--no-tunnel',
      '--no-spdy',
    ])
      expect(sim).toContain(f);
    expect(sim).not.toContain('--namespace');
    expect(await cands(['completion'], '-')).toEqual(['--help', '-h']);
  });

  it('no flags after `--`, and none for commands without flags', async () => {
    expect(await cands(['svc', '--'], '--')).toEqual([]);
    expect(await cands(['version'], '-')).toEqual([]);
  });
});

describe('values', () => {
  it('--transport and --theme offer their words, also attached with =', async () => {
    expect(await cands(['svc', '--transport'], '')).toEqual(['auto', 'tunnel', 'spdy', 'websocket']);
    expect(await cands(['--transport'], 'w')).toEqual(['websocket']);
    expect(await cands(['svc'], '--transport=sp')).toEqual(['--transport=spdy']);
    expect(await cands(['svc', '--theme'], '')).toEqual(['dark', 'light']);
    expect(await cands(['tui', '--theme'], 'l')).toEqual(['light']);
  });

  it('file flags ask the shell for paths', async () => {
    for (const [words, current] of [
      [['svc', '-c'], ''],
      [['svc', '--kubeconfig'], '/tm'],
      [['svc'], '--kubeconfig=/tm'],
      [['-n', 'shop', '--hosts-path'], ''],
      [['svc', '-z'], 'x'],
      [['sim', '--dir'], ''],
      [['sim', '-f'], ''],
    ] as const)
      expect(await complete(words, current, fake())).toEqual({ candidates: [], files: true });
    expect((await complete(['svc', '-n'], '', fake())).files).toBe(false);
    expect((await complete(['svc'], '--k', fake())).files).toBe(false);
  });

  it('a flag that takes free text, or a positional, offers nothing', async () => {
    expect(await complete(['svc', '-l'], '', fake())).toEqual({ candidates: [], files: false });
    expect(await complete(['svc', '--tui'], '', fake())).toEqual({ candidates: [], files: false });
    expect(await complete(['sim', '--context'], '', fake())).toEqual({ candidates: [], files: false });
    // mcp --http takes an optional value: a word after it is the value, a dash word a flag.
    expect(await cands(['mcp', '--http'], '')).toEqual([]);
    expect(await cands(['mcp', '--http'], '--ver')).toEqual(['--verbose']);
  });

  it('-x: the kubeconfig’s contexts, honouring a -c typed before', async () => {
    const s = fake();
    expect(await cands(['svc', '-x'], '', s)).toEqual(['dev', 'prod', 'staging']);
    expect(await cands(['-x'], 'st', s)).toEqual(['staging']);
    expect(s.calls.contexts).toEqual([{}, {}]);
    await cands(['svc', '-c', '/k/one', '--context'], '', s);
    await cands(['svc', '--kubeconfig=/k/two', '-x'], '', s);
    await cands(['svc', '-c/k/three'], '-x=', s);
    expect(s.calls.contexts.slice(2)).toEqual([
      { kubeconfig: '/k/one' },
      { kubeconfig: '/k/two' },
      { kubeconfig: '/k/three' },
    ]);
  });

  it('-n: namespaces of the typed contexts (or the current one), completing after the last comma', async () => {
    const s = fake();
    expect(await cands(['svc', '-n'], '', s)).toEqual(['analytics', 'default', 'sandbox', 'shop']);
    expect(await cands(['svc', '-n'], 'shop,an', s)).toEqual(['shop,analytics']);
    expect(await cands(['svc', '-n'], 'shop,', s)).toEqual([
      'shop,analytics',
      'shop,default',
      'shop,sandbox',
    ]);
    expect(await cands(['svc'], '-nsh', s)).toEqual(['-nshop']);
    expect(await cands(['svc'], '-n=sh', s)).toEqual(['-n=shop']);
    expect(await cands(['svc'], '--namespace=sa', s)).toEqual(['--namespace=sandbox']);
    expect(await cands(['svc', '-An'], 'def', s)).toEqual(['default']);
    expect(s.calls.namespaces[0]).toEqual({ contexts: [] });
    await cands(['svc', '-c', '/k', '-x', 'dev,prod', '--context=staging', '-n'], '', s);
    expect(s.calls.namespaces.at(-1)).toEqual({ kubeconfig: '/k', contexts: ['dev', 'prod', 'staging'] });
  });

  it('-x: comma lists too; demo asks no cluster (its own is not running yet)', async () => {
    const s = fake();
    expect(await cands(['svc', '-x'], 'dev,', s)).toEqual(['dev,prod', 'dev,staging']);
    expect(await cands(['demo', '-n'], '', s)).toEqual([]);
    expect(await cands(['demo', '-x'], '', s)).toEqual([]);
    expect(s.calls.namespaces).toHaveLength(0);
    expect(s.calls.contexts).toHaveLength(1);
  });

  it('a failing source offers nothing and does not throw', async () => {
    expect(await complete(['svc', '-x'], '', failing)).toEqual({ candidates: [], files: false });
    expect(await complete(['svc', '-n'], 'sh', failing)).toEqual({ candidates: [], files: false });
  });
});

describe('positional words', () => {
  it('completion takes a shell, help a command', async () => {
    expect(await cands(['completion'], '')).toEqual(['bash', 'zsh', 'fish', 'powershell']);
    expect(await cands(['completion'], 'z')).toEqual(['zsh']);
    expect(await cands(['completion', 'bash'], '')).toEqual([]);
    expect(await cands(['help'], 'm')).toEqual(['mcp']);
    expect(await cands(['__complete'], '')).toEqual([]);
  });
});
