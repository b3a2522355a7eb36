import { defaultHostsPath } from './config.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../os/process-alive.js';
import { blockIdFor, isStaleBlockId, ownBlockId, runningKubefwdPid } from './stale-blocks.js';
import { createLogger, formatText } from './logger.js';
import { planTargets } from './preflight.js';
import { parseServicePattern } from '../domain/service-patterns.js';
import type { DaemonConfig } from './config.js';
import { withSubject, type ClusterProvider } from '../engine/gateways.js';

describe('stale hosts blocks', () => {
  it('a block is stale when its pid is dead, unreadable, or our own pid (reuse)', () => {
    const alive = (pid: number): boolean => pid === 42;
    expect(blockIdFor(42)).toBe('pid-42');
    expect(isStaleBlockId('pid-42', 7, alive)).toBe(false);
    expect(isStaleBlockId('pid-43', 7, alive)).toBe(true);
    expect(isStaleBlockId('pid-7', 7, () => true)).toBe(true);
    expect(isStaleBlockId('kubefwd', 7, alive)).toBe(false); // not our format: never removed
    expect(isStaleBlockId('pid-1', 7, () => true)).toBe(true); // init never owns a block
    expect(isStaleBlockId('pid-1-1', 7, () => true)).toBe(true);
  });

  it('a block naming a start time is stale when the pid now belongs to a later process', () => {
    const started = new Map([[42, '1000']]);
    const alive = (pid: number, start?: string): boolean =>
      started.has(pid) && (start === undefined || started.get(pid) === start);
    expect(blockIdFor(42, '1000')).toBe('pid-42-1000');
    expect(isStaleBlockId('pid-42-1000', 7, alive)).toBe(false);
    expect(isStaleBlockId('pid-42-999', 7, alive)).toBe(true);
    expect(isStaleBlockId('pid-42', 7, alive)).toBe(false); // an older kubefwd's block: pid only
    expect(isStaleBlockId('pid-42-x', 7, alive)).toBe(false); // not our format: left alone
  });

  it('this process’s own block id holds its start time where the OS tells', () => {
    const start = processStartTime(process.pid);
    expect(ownBlockId()).toBe(start === undefined ? `pid-${process.pid}` : `pid-${process.pid}-${start}`);
    expect(isStaleBlockId(ownBlockId(), process.pid + 1)).toBe(false);
  });

  it('runningKubefwdPid names the kubefwd whose block is in the hosts file and which runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubefwd-running-'));
    try {
      const hosts = join(dir, 'hosts');
      const block = (id: string) => `# kubefwd begin ${id}\n127.1.27.1 db\n# kubefwd end ${id}\n`;
      writeFileSync(hosts, `127.0.0.1 localhost\n${block('pid-999999999')}`);
      expect(runningKubefwdPid(hosts, 7)).toBeUndefined(); // its process is gone
      writeFileSync(hosts, `127.0.0.1 localhost\n${block('pid-999999999')}${block(ownBlockId())}`);
      expect(runningKubefwdPid(hosts, 7)).toBe(process.pid);
      expect(runningKubefwdPid(join(dir, 'none'), 7)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logger', () => {
  it('writes kubefwd-like text, debug only with -v, warnings to stderr, and feeds sinks', () => {
    const t = new Date(2026, 0, 1, 9, 5, 3);
    expect(formatText('info', 'hello', { a: 1, b: 'x y' }, t, false)).toBe(
      'INFO[09:05:03] hello a=1 b="x y"\n',
    );
    let out = '';
    let err = '';
    const seen: string[] = [];
    const log = createLogger({
      verbose: false,
      json: false,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      now: () => t,
    });
    log.addSink((level, m) => seen.push(`${level}:${m}`));
    log.debug('hidden');
    log.info('shown');
    log.warn('careful');
    log.terminalOnly('Dashboard: http://x/login?token=secret');
    expect(out).toBe('INFO[09:05:03] shown\nINFO[09:05:03] Dashboard: http://x/login?token=secret\n');
    expect(err).toBe('WARN[09:05:03] careful\n');
    // The one-time link is never kept where the API (/logs, MCP get_logs) could hand it out.
    expect(seen).toEqual(['info:shown', 'warn:careful']);
    let json = '';
    createLogger({
      verbose: true,
      json: true,
      stdout: { write: (s: string) => (json += s) },
      stderr: { write: () => 0 },
      now: () => t,
    }).debug('d', { k: 1 });
    expect(JSON.parse(json)).toMatchObject({ level: 'debug', msg: 'd', k: 1 });
  });

  it("a line's subject is fields of its own for programs, and left out of text (the message names it)", () => {
    const t = new Date(2026, 0, 2, 9, 5, 3);
    const outputs = { text: '', json: '' };
    const kept: unknown[] = [];
    for (const mode of ['text', 'json'] as const) {
      const log = createLogger({
        verbose: false,
        json: mode === 'json',
        stdout: { write: () => 0 },
        stderr: { write: (s: string) => (outputs[mode] += s) },
        now: () => t,
      });
      if (mode === 'json') log.addSink((_level, _m, fields) => kept.push(fields));
      const forward = withSubject(
        withSubject(log, () => ({ namespace: 'shop', context: 'sim', podName: 'ignored' })),
        () => ({ serviceKey: 'web.shop.sim', podName: 'web-1', localIP: undefined }),
      );
      forward.warn('web.shop: lost connection to pod web-1: EOF', { code: 'STREAM_ERROR' });
    }
    expect(outputs.text).toBe(
      'WARN[09:05:03] web.shop: lost connection to pod web-1: EOF code=STREAM_ERROR\n',
    );
    const subject = { serviceKey: 'web.shop.sim', podName: 'web-1', namespace: 'shop', context: 'sim' };
    expect(JSON.parse(outputs.json)).toEqual({
      time: t.toISOString(),
      level: 'warn',
      msg: 'web.shop: lost connection to pod web-1: EOF',
      code: 'STREAM_ERROR',
      ...subject,
    });
    // The API's /logs (and MCP get_logs) keep the same fields.
    expect(kept).toEqual([{ ...subject, code: 'STREAM_ERROR' }]);
  });
});

describe('preflight plan', () => {
  const provider = (missing: string[] = []): ClusterProvider =>
    ({
      currentContext: () => 'sim',
      contexts: () => [],
      cluster: (ctx?: string) => {
        if (ctx !== undefined && ctx !== 'sim' && ctx !== 'other')
          throw new Error(`context ${ctx} not found`);
        return {
          context: ctx ?? 'sim',
          defaultNamespace: ctx === 'other' ? 'c' : 'b',
          listNamespaces: async () =>
            ['b', 'a', 'shop', 'analytics', 'sandbox'].map((name) => ({ metadata: { name } })),
          checkAccess: async () => missing,
        };
      },
      close: () => undefined,
    }) as unknown as ClusterProvider;
  const base = {
    contexts: [],
    namespaces: [],
    allNamespaces: false,
    services: [],
  } as unknown as DaemonConfig;
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };

  it('namespaces × contexts, -A lists them, --service outside them becomes a single service', async () => {
    const plan = await planTargets(
      {
        ...base,
        namespaces: ['shop'],
        services: ['shop/pg', 'analytics/reports', 'sandbox/*'].map((p) => parseServicePattern(p)),
      },
      provider(),
      log,
    );
    expect(plan.namespaces).toEqual([
      { context: 'sim', namespace: 'shop' },
      { context: 'sim', namespace: 'sandbox' },
    ]);
    expect(plan.services).toEqual([{ context: 'sim', namespace: 'analytics', name: 'reports' }]);
    const all = await planTargets(
      { ...base, allNamespaces: true, contexts: ['sim', 'other'] },
      provider(),
      log,
    );
    // The context's namespace first (it gets the short names), then the rest sorted; a context
    // namespace that does not exist is not forwarded.
    expect(all.namespaces.map((n) => `${n.context}/${n.namespace}`)).toEqual([
      ...['b', 'a', 'analytics', 'sandbox', 'shop'].map((n) => `sim/${n}`),
      ...['a', 'analytics', 'b', 'sandbox', 'shop'].map((n) => `other/${n}`),
    ]);
  });

  it('names a namespace that does not exist, its context and the closest names', async () => {
    await expect(planTargets({ ...base, namespaces: ['shpo'] }, provider(), log)).rejects.toMatchObject({
      code: 'NAMESPACE_NOT_FOUND',
      message: 'namespace "shpo" does not exist in context sim (did you mean "shop"?)',
      hint: 'The namespaces of sim: b, a, shop, analytics, sandbox.',
    });
  });

  it('names a missing permission', async () => {
    await expect(
      planTargets({ ...base, namespaces: ['shop'] }, provider(['create pods/portforward']), log),
    ).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: 'missing RBAC permission in namespace shop (context sim): create pods/portforward',
    });
  });
});

// The built module (Node 20 cannot import .ts in a child); `npm test` builds first.
const builtWatchdog = fileURLToPath(new URL('../../dist/src/daemon/watchdog.js', import.meta.url));

describe.skipIf(!existsSync(builtWatchdog))('watchdog', () => {
  it('ends a process whose main thread never yields', async () => {
    const mod = builtWatchdog;
    const code = `import { startWatchdog } from ${JSON.stringify(mod)}; startWatchdog(200, 'watchdog fired'); setTimeout(() => { const spin = async () => { for (;;) await Promise.resolve(); }; void spin(); }, 50);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const signal = await new Promise((r) => child.once('close', (_c, s) => r(s)));
    clearTimeout(timer);
    expect(signal).toBe('SIGKILL');
    expect(err).toContain('watchdog fired');
  });
});

describe('the system hosts file', () => {
  it('the Windows hosts file is under %SystemRoot%', () => {
    expect(defaultHostsPath('win32', { SystemRoot: 'D:\\WINDOWS' })).toBe(
      'D:\\WINDOWS\\System32\\drivers\\etc\\hosts',
    );
    expect(defaultHostsPath('win32', {})).toBe('C:\\Windows\\System32\\drivers\\etc\\hosts');
    expect(defaultHostsPath('darwin', {})).toBe('/etc/hosts');
  });
});
