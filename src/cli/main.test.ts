import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { buildSvcCommand, toDaemonConfig, type RawSvcOptions } from './svc-options.js';
import { normaliseFlags } from './argv.js';
import { BOOL_LONG, BOOL_SHORT, VALUE_SHORT } from './svc-options.js';
import { kubefwdVersion } from './version.js';

const run = async (argv: string[]) => {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { HOME: '/nonexistent' },
  });
  return { code, out, err };
};

const parse = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const cmd = buildSvcCommand();
  cmd.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  cmd.parse(normaliseFlags(argv, { boolLong: BOOL_LONG, boolShort: BOOL_SHORT, valueShort: VALUE_SHORT }), {
    from: 'user',
  });
  return toDaemonConfig(cmd.opts<RawSvcOptions>(), (o) => cmd.getOptionValueSource(o) === 'cli', {
    version: '1.2.3',
    env,
    root: true,
    hostsDefault: '/etc/hosts',
  });
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('version', () => {
  it('prints kubefwd’s two lines (also for --version), and the bare version with quiet', async () => {
    const v = kubefwdVersion();
    expect(v).toMatch(/^\d+\.\d+\.\d+/);
    expect(await run(['version'])).toEqual({
      code: 0,
      out: `Kubefwd version: ${v}\nhttps://kubefwd.com\n`,
      err: '',
    });
    expect(await run(['version', 'quiet'])).toEqual({ code: 0, out: `${v}\n`, err: '' });
    expect(await run(['--version'])).toEqual(await run(['version']));
  });
});

describe('help', () => {
  it('svc --help lists kubefwd’s flags with short forms, and ours', async () => {
    const { code, out } = await run(['svc', '--help']);
    expect(code).toBe(0);
    for (const f of [
      '-c, --kubeconfig',
      '-x, --context',
      '-n, --namespace',
      '-l, --selector',
      '-f, --field-selector',
      '-v, --verbose',
      '-d, --domain',
      '-m, --mapping',
      '-A, --all-namespaces',
      '-r, --reserve',
      '-z, --fwd-conf',
      '-t, --timeout',
      '--hosts-path',
      '-b, --refresh-backup',
      '-p, --purge-stale-ips',
      '--resync-interval',
      '--retry-interval',
      '--tui',
      '--api',
      '-a, --auto-reconnect',
      '--theme',
      '--service',
      '--exclude',
      '--transport',
      '--api-listen',
      '--json-logs',
    ])
      expect(out).toContain(f);
    expect(out).not.toContain('--no-auto-reconnect');
  });
  it('kubefwd --help and kubefwd help: the commands first, then svc’s flags', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      for (const c of ['mcp', 'tui', 'sim', 'demo', 'completion', 'version'])
        expect(out, argv.join(' ')).toMatch(new RegExp(`^  kubefwd ${c}\\b`, 'm'));
      expect(out.indexOf('kubefwd demo')).toBeLessThan(out.indexOf('-n, --namespace'));
      expect(out).not.toMatch(/^Usage: svc/m);
    }
  });
  it('every command’s usage line starts with kubefwd', async () => {
    for (const c of ['svc', 'demo', 'mcp', 'tui', 'sim', 'completion']) {
      const { out } = await run([c, '--help']);
      expect(out, c).toMatch(new RegExp(`^Usage: kubefwd ${c}\\b`, 'm'));
    }
  });
});

describe('usage errors', () => {
  it('name the command whose --help helps, and end with one period', async () => {
    const mcp = await run(['mcp', '--frobnicate']);
    expect(mcp).toMatchObject({
      code: 1,
      err: "kubefwd: unknown option '--frobnicate'. Run `kubefwd mcp --help` for the flags.\n",
    });
    expect((await run(['tui', '--frobnicate'])).err).toContain('`kubefwd tui --help`');
    const { err } = await run(['--transport', 'foo']);
    expect(err).toContain('Allowed choices are auto, tunnel, spdy, websocket. Run `kubefwd svc --help`');
    expect(err).not.toContain('..');
    // demo takes no words (a namespace goes after -n), where svc ignores them as the Go kubefwd does.
    expect(await run(['demo', 'shop'])).toMatchObject({
      code: 1,
      err: 'kubefwd: too many arguments. Expected 0 arguments but got 1. Run `kubefwd demo --help` for the flags.\n',
    });
    const help = (await run(['demo', '--help'])).out;
    expect(help).toContain('kubefwd demo --hosts-path /tmp/hosts');
    expect(help).not.toContain('kubefwd svc -n');
  });
});

describe('defaults and modes (kubefwd parity)', () => {
  it('no namespace → idle mode with API and auto-reconnect forced on', async () => {
    const c = await parse([]);
    expect(c).toMatchObject({
      idle: true,
      api: true,
      autoReconnect: true,
      timeoutSeconds: 300,
      hostsPath: '/etc/hosts',
      hostsPathExplicit: false,
      resyncIntervalMs: 300_000,
      retryIntervalMs: 10_000,
      transport: 'auto',
      contexts: [],
      namespaces: [],
    });
  });
  it('classic mode: -n, no auto-reconnect unless asked; -a=false wins over forcing', async () => {
    expect(await parse(['-n', 'shop,analytics', '-n', 'shop'])).toMatchObject({
      idle: false,
      api: false,
      autoReconnect: false,
      namespaces: ['shop', 'analytics'],
    });
    expect((await parse(['-n', 'shop', '--tui'])).autoReconnect).toBe(true);
    expect((await parse(['--tui', '-a=false'])).autoReconnect).toBe(false);
    expect((await parse(['-n', 'shop', '-a'])).autoReconnect).toBe(true);
  });
  it('collects repeatable and comma lists, short forms with attached values', async () => {
    const c = await parse([
      '-nshop',
      '-x',
      'a,b',
      '-m',
      '80:8080,443:8443',
      '-r',
      'pg.shop:127.1.27.40',
      '--service',
      'analytics/reports',
      '--exclude',
      'shop/kafka',
      '--hosts-path',
      join(dir, 'h'),
    ]);
    expect(c).toMatchObject({
      namespaces: ['shop'],
      contexts: ['a', 'b'],
      mappings: new Map([
        [80, 8080],
        [443, 8443],
      ]),
      reservations: { baseIP: '127.1.27.1', reservations: [{ name: 'pg.shop', ip: '127.1.27.40' }] },
      services: [{ namespace: 'analytics', name: 'reports' }],
      excludes: [{ namespace: 'shop', name: 'kafka' }],
      hostsPathExplicit: true,
    });
  });
  it('--service alone is not idle', async () => {
    expect((await parse(['--service', 'shop/postgres'])).idle).toBe(false);
  });
  it('theme from flag, else env', async () => {
    expect((await parse(['--theme', 'light'])).theme).toBe('light');
    expect((await parse([], { KUBEFWD_THEME: 'light' })).theme).toBe('light');
  });
  it('reads the -z file early', async () => {
    const f = join(dir, 'fwd.yml');
    await writeFile(f, 'baseUnreservedIP: 127.11.27.1\n');
    expect((await parse(['-n', 'shop', '-z', f])).reservations.baseIP).toBe('127.11.27.1');
  });
});

describe('bad input: one clear line on stderr, exit 1', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /^kubefwd: unknown option '--bogus'\. Run `kubefwd svc --help` for the flags\.\n$/],
    [['-n'], /argument missing/],
    [['-n', 'shop', '-l', 'app==,x=y=z'], /invalid label selector .* for --selector/],
    [['-n', 'shop', '-f', 'nonsense'], /invalid field selector "nonsense" for --field-selector/],
    [['-n', 'shop', '-m', '80'], /invalid port mapping "80" for --mapping\. Use servicePort:localPort/],
    [['-n', 'shop', '-m', '80:99999'], /invalid port mapping "80:99999"/],
    [['-n', 'shop', '-r', 'postgres'], /invalid reservation "postgres" for --reserve/],
    [['-n', 'shop', '-r', 'pg:10.0.0.1'], /invalid reservation "pg:10.0.0.1"/],
    [['-n', 'shop', '-z', '/nonexistent/fwd.yml'], /cannot read --fwd-conf \/nonexistent\/fwd\.yml/],
    [['-n', 'shop', '-t', 'soon'], /invalid value "soon" for --timeout/],
    [['-n', 'shop', '--retry-interval', '10'], /invalid duration "10" for --retry-interval/],
    [
      ['-n', 'shop', '--retry-interval', '0s'],
      /--retry-interval must be greater than 0 \(got "0s"\)\. Give how often .* e\.g\. --retry-interval 10s/,
    ],
    [
      ['-n', 'shop', '--transport', 'carrier-pigeon'],
      /carrier-pigeon.*Allowed choices are auto, tunnel, spdy, websocket/,
    ],
    [
      ['-n', 'shop', '--api-listen', '0.0.0.0:80'],
      /--api-listen 0\.0\.0\.0:80: the API only listens on loopback/,
    ],
    [['--service', 'postgres'], /invalid service "postgres" for --service/],
    [['-n', 'Shop'], /invalid namespace "Shop" for --namespace/],
    [['-n', ''], /--namespace was given no namespace \(an empty value\)/],
    [['-A', '-n', 'shop'], /cannot combine --all-namespaces with --namespace/],
    // Written into the hosts file after every name: a space or '#' would corrupt the lines.
    [['-n', 'shop', '-d', 'bad domain'], /invalid domain "bad domain" for --domain/],
    [['-n', 'shop', '-d', 'foo#bar'], /invalid domain "foo#bar" for --domain/],
    [['-n', 'shop', '-d', 'a..b'], /invalid domain "a\.\.b" for --domain/],
    // commander called these an unknown option ('--tui=yes', '-=maybe').
    [['-n', 'shop', '--tui=yes'], /^kubefwd: invalid value "yes" for --tui\. --tui is a switch/],
    [['-n', 'shop', '-a=maybe'], /^kubefwd: invalid value "maybe" for -a\. -a is a switch/],
    // kubefwd warned and used its default; ours had said nothing at all.
    [['-n', 'shop', '--theme', 'pink'], /^kubefwd: invalid theme "pink" for --theme\. Use --theme dark/],
  ];
  for (const [argv, re] of cases)
    it(argv.join(' '), async () => {
      const r = await run(argv);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    });
});

describe('reservation file', () => {
  it('rejects malformed files and clashes naming the file', async () => {
    const f = join(dir, 'bad.yml');
    for (const [text, re] of [
      ['baseUnreservedIP: 10.0.0.1\n', /baseUnreservedIP "10\.0\.0\.1" is not an address in 127/],
      [
        'serviceConfigurations:\n  - name: a\n    ip: 192.168.0.1\n',
        /192\.168\.0\.1 is not in the range 127\.0\.0\.0\/8/,
      ],
      ['serviceConfigurations: [oops\n', /invalid reservation file/],
      [
        'serviceConfigurations:\n  - name: a\n    ip: 127.1.27.5\n  - name: b\n    ip: 127.1.27.5\n',
        /IP 127\.1\.27\.5 cannot be used as a reservation for multiple services/,
      ],
    ] as const) {
      await writeFile(f, text);
      const r = await run(['-n', 'shop', '-z', f]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(re);
    }
    await writeFile(f, 'serviceConfigurations:\n  - name: a\n    ip: 127.1.27.5\n');
    const r = await run(['-n', 'shop', '-z', f, '-r', 'b:127.1.27.5']);
    expect(r.err).toMatch(/multiple services \(a, b\)/);
  });
});
