// The main view: header (current context), services table (columns, statuses, windowing), logs,
// status bar, and every main-view key, against a scripted backend.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { syntheticForward, syntheticForwards } from '../../src/tui/fixtures.js';
import type { ForwardView } from '../../src/contract/state.js';
import stringWidth from 'string-width';
import {
  createFakeBackend,
  KEY,
  mount,
  rowNames,
  rowOf,
  selectedLine,
  tableLines,
  tick,
  until,
} from './support.js';

afterEach(() => cleanup());

const NOW = Date.parse('2026-01-01T00:10:00.000Z');

const named = (i: number, name: string, ns: string, o: Partial<ForwardView> = {}): ForwardView => {
  const f = syntheticForward(i, {
    status: 'Active',
    reason: undefined,
    error: undefined,
    errorCode: undefined,
    reconnects: 0,
    ...o,
  });
  const serviceKey = `${name}.${ns}.sim`;
  return {
    ...f,
    serviceName: name,
    namespace: ns,
    serviceKey,
    registryKey: serviceKey,
    key: `${serviceKey}.${name}-pod.${f.localPort}`,
    podName: `${name}-pod`,
    hostnames: [name, `${name}.${ns}`, `${name}.${ns}.svc.cluster.local`],
  };
};

const sample = (): ForwardView[] => [
  named(1, 'api', 'shop', { localPort: '8080', podPort: '80', bytesIn: 2048, rateIn: 1536 }),
  named(2, 'web', 'shop', {
    status: 'Waiting',
    reason: 'no ready pod for service',
    nextRetryAt: new Date(NOW + 4000).toISOString(),
  }),
  named(3, 'db', 'shop', {
    status: 'Error',
    error: 'connection refused',
    reason: 'pod port 5432 refused the connection',
    nextRetryAt: new Date(NOW + 65_000).toISOString(),
    reconnects: 4,
  }),
  named(4, 'cache', 'shop', { status: 'Connecting' }),
  named(5, 'queue', 'shop', { reconnects: 3 }),
];

describe('main view', () => {
  it('shows the version and the current context in the header, always', async () => {
    const b = createFakeBackend({ forwards: sample(), currentContext: 'prod-cluster' });
    const app = mount(b, { now: () => NOW });
    await tick();
    const header = app.frame().split('\n')[0]!;
    expect(header).toContain('kubefwd v9.9.9');
    expect(header).toContain('ctx: prod-cluster');
    // Still there in help, detail and browse.
    await app.press('?');
    expect(app.frame().split('\n')[0]).toContain('ctx: prod-cluster');
    await app.press(KEY.esc, KEY.enter);
    expect(app.frame().split('\n')[0]).toContain('ctx: prod-cluster');
  });

  it('names the forwarded namespaces and flags other contexts in the header', async () => {
    const b = createFakeBackend({
      forwards: sample(),
      namespaces: [
        {
          key: 'shop.sim',
          namespace: 'shop',
          context: 'sim',
          serviceCount: 5,
          activeCount: 2,
          errorCount: 1,
          running: true,
        },
        {
          key: 'ops.other',
          namespace: 'ops',
          context: 'other',
          serviceCount: 0,
          activeCount: 0,
          errorCount: 0,
          running: true,
        },
      ],
    });
    const app = mount(b);
    await tick();
    const header = app.frame().split('\n')[0]!;
    expect(header).toContain('ctx: sim,other');
    expect(header).toContain('ns: shop,ops');
  });

  it('renders one row per forward with kubefwd columns, in hostname order', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await tick();
    const lines = tableLines(app.frame());
    expect(lines[0]).toMatch(
      /Hostname\s+Port\s+Status\s+Rc\s+Total In\s+Total Out\s+Rate In\s+Rate Out\s+Trend/,
    );
    expect(rowNames(app.frame())).toEqual(['db', 'api', 'web', 'cache', 'queue']);
    const api = rowOf(app.frame(), 'api')!;
    expect(api).toContain('8080→80');
    expect(api).toContain('● Active');
    expect(api).toContain('2.0 KB');
    expect(api).toContain('1.5 KB/s');
  });

  it('makes waiting and error rows readable at a glance: reason, next retry, reconnects', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await tick();
    const web = rowOf(app.frame(), 'web')!;
    expect(web).toContain('◌ Waiting');
    expect(web).toContain('no ready pod for service · retry in 4s');
    const db = rowOf(app.frame(), 'db')!;
    expect(db).toContain('✖ Error');
    expect(db).toMatch(/✖ Error\s+4 pod port 5432 refused the connection · retry in 1m 5s/);
    expect(rowOf(app.frame(), 'cache')).toContain('◐ Connecting');
    expect(rowOf(app.frame(), 'queue')).toMatch(/● Active\s+3 /);
    const status = app.frame().split('\n').at(-1)!;
    expect(status).toContain('Forwards: 2/5');
    expect(status).toContain('Errors: 1');
    expect(status).toContain('Waiting: 1');
    expect(status).toContain('Reconnects: 7');
  });

  it('counts a forward re-dialling after a failure (Connecting with its error) among the errors', async () => {
    const forwards = sample().map((f) =>
      f.serviceName === 'cache' ? { ...f, error: 'context deadline exceeded' } : f,
    );
    const app = mount(createFakeBackend({ forwards }), { now: () => NOW });
    await tick();
    const status = app.frame().split('\n').at(-1)!;
    expect(status).toContain('Errors: 2');
    expect(status).toContain('Waiting: 1');
  });

  it('says in the status line when kubefwd cannot follow a namespace, until it can again', async () => {
    const ns = {
      key: 'shop.sim',
      namespace: 'shop',
      context: 'sim',
      serviceCount: 5,
      activeCount: 2,
      errorCount: 1,
      running: true,
    };
    const b = createFakeBackend({ forwards: sample(), namespaces: [ns] });
    const app = mount(b, { width: 160 });
    await tick();
    const status = (): string => app.frame().split('\n').at(-1)!;
    expect(status()).toContain('Press ? for help');
    await app.update(() =>
      b.set({
        namespaces: [
          {
            ...ns,
            watchError: 'watch of pods failed: pods is forbidden',
            watchErrorSince: '2026-12-07T07:00:00Z',
          },
        ],
      }),
    );
    expect(status()).toContain('shop not followed: watch of pods failed: pods is forbidden');
    expect(status()).not.toContain('Press ? for help');
    await app.update(() => b.set({ namespaces: [ns] }));
    expect(status()).toContain('Press ? for help');
  });

  it('shows the namespace column only when rows span namespaces (and context likewise)', async () => {
    const b = createFakeBackend({ forwards: sample() });
    const app = mount(b);
    await tick();
    expect(tableLines(app.frame())[0]).not.toContain('Namespace');
    await app.update(() => b.setForwards([...sample(), named(9, 'search', 'other-ns')]));
    expect(tableLines(app.frame())[0]).toContain('Namespace');
    expect(tableLines(app.frame())[0]).not.toContain('Context');
    await app.update(() => b.setForwards([...sample(), { ...named(9, 'search', 'shop'), context: 'other' }]));
    expect(tableLines(app.frame())[0]).toContain('Context');
  });

  it('says it is waiting for services when there are none, and shows the logs', async () => {
    const b = createFakeBackend({
      logs: [{ at: NOW, level: 'warn', message: 'something to note' }],
    });
    const app = mount(b);
    await tick();
    expect(app.frame()).toContain('Waiting for services to be discovered');
    expect(app.frame()).toContain('[WARN] something to note');
    expect(app.frame()).toContain('Following - 2 lines');
    expect(app.frame()).toContain('kubefwd TUI started. Press ? for help, q to quit.');
  });

  it('shows a disconnected attached TUI and a shutting-down daemon in the status bar', async () => {
    const b = createFakeBackend({
      connected: false,
      connectionError: 'daemon unreachable',
      attachedTo: 'http://127.0.0.1:9',
    });
    const app = mount(b);
    await tick();
    expect(app.frame()).toContain('disconnected: daemon unreachable');
    expect(app.frame().split('\n')[0]).toContain('attached: http://127.0.0.1:9');
    await app.update(() => b.set({ shuttingDown: true }));
    expect(app.frame()).toContain('Shutting down...');
  });

  it('an attached kubefwd that stopped: the status bar says so, not "Shutting down...", and the TUI exits', async () => {
    const b = createFakeBackend({ shuttingDown: true, attachedTo: 'http://127.0.0.1:9' });
    const app = mount(b, { stoppedExitMs: 150 });
    await tick();
    expect(app.frame()).toContain('Shutting down...');
    await app.update(() => b.set({ connected: false, stopped: 'kubefwd (pid 42) stopped' }));
    const status = app.frame().split('\n').at(-1)!;
    expect(status).toContain('kubefwd (pid 42) stopped — exiting (q quits now)');
    expect(status).not.toContain('Shutting down');
    expect(app.quits()).toBe(0);
    // Unmounted: the app let go of the backend.
    await until(() => expect(app.quits()).toBe(1));
    await until(() => expect(b.listenerCount()).toBe(0));
  });
});

describe('windowing and navigation', () => {
  it('keeps columns aligned past wide (CJK, emoji) and over-long names, cut with an ellipsis', async () => {
    const long = 'a-service-name-far-too-long-for-the-hostname-column-of-this-terminal';
    const app = mount(
      createFakeBackend({
        forwards: [
          named(1, '支付服务', 'shop', { localPort: '8080', podPort: '8080' }),
          named(2, 'cache-🚀', 'shop', { localPort: '8081', podPort: '8081' }),
          named(3, long, 'shop', { localPort: '8082', podPort: '8082' }),
          named(4, 'api', 'shop', { localPort: '8083', podPort: '8083' }),
        ],
      }),
      { now: () => NOW },
    );
    await until(() => expect(app.frame()).toContain('支付服务'));
    const rows = tableLines(app.frame()).slice(1, 5);
    // The Port column starts at the same terminal column on every row, and every row is as wide as
    // the table (string-width counts 支 and 🚀 as two columns, as the terminal draws them).
    const portColumn = rows.map((l) => stringWidth(l.slice(0, l.search(/808\d/))));
    expect(new Set(portColumn).size).toBe(1);
    expect(new Set(rows.map((l) => stringWidth(l))).size).toBe(1);
    const cut = rows.find((l) => l.includes('a-service-name'))!;
    expect(cut).toMatch(/ a-service-name-far-[^ ]*… 8082/);
    expect(cut).not.toContain(long);
  });

  it('cuts the "no forwards match" line to the table, however long the filter', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { width: 60 });
    await app.press(`/${'nomatch'.repeat(12)}`, KEY.enter);
    await until(() => expect(app.frame()).toContain('No forwards match'));
    const lines = tableLines(app.frame());
    expect(lines.find((l) => l.includes('No forwards match'))).toMatch(/…$/);
    for (const l of app.frame().split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(60);
  });

  it('renders only the rows that fit, however many forwards there are', async () => {
    const app = mount(createFakeBackend({ forwards: syntheticForwards(500) }), { height: 30 });
    await tick();
    const rows = tableLines(app.frame()).slice(1);
    // 30 lines: 8 of chrome, 25 % of the rest for logs → 17 table rows.
    expect(rows.length).toBe(17);
    expect(app.frame()).toContain('Services 1/500');
    expect(app.frame().split('\n').length).toBeLessThanOrEqual(30);
  });

  it('acts on every key of a chunk, in order (key repeat, paste: several keys in one read)', async () => {
    const app = mount(createFakeBackend({ forwards: syntheticForwards(100) }), { height: 30 });
    await app.ready();
    const settles = async (text: string): Promise<void> => {
      for (let i = 0; i < 2000 && !app.frame().includes(text); i++) await tick(5);
      expect(/Services \d+\/\d+/.exec(app.frame())?.[0]).toBe(text);
    };
    app.stdin.write('jjj');
    await settles('Services 4/100');
    app.stdin.write(`${KEY.down}${KEY.down}${KEY.down}`);
    await settles('Services 7/100');
    // In order: G then k is the row before the last; the other way round it would be the last.
    app.stdin.write('Gk');
    await settles('Services 99/100');
    app.stdin.write(`kk${KEY.up}jjjj`);
    await settles('Services 100/100');
    // Let anything still queued act, then check nothing moved further.
    await tick(100);
    expect(app.frame()).toContain('Services 100/100');
  });

  it('follows the selection with j/k, arrows, g/G, Home/End, PgDn/PgUp', async () => {
    const app = mount(createFakeBackend({ forwards: syntheticForwards(100) }), { height: 30 });
    await tick();
    await app.press('j', 'j', KEY.down);
    expect(app.frame()).toContain('Services 4/100');
    await app.press('k', KEY.up);
    expect(app.frame()).toContain('Services 2/100');
    await app.press('G');
    expect(app.frame()).toContain('Services 100/100');
    expect(selectedLine(app.frame())).toBeDefined();
    await app.press('g');
    expect(app.frame()).toContain('Services 1/100');
    await app.press(KEY.end);
    expect(app.frame()).toContain('Services 100/100');
    await app.press(KEY.home, KEY.pageDown);
    expect(app.frame()).toContain('Services 18/100');
    await app.press(KEY.pageDown, KEY.pageUp);
    expect(app.frame()).toContain('Services 18/100');
    await app.press('l');
    expect(app.frame()).toContain('Services 35/100');
    await app.press('h');
    expect(app.frame()).toContain('Services 18/100');
    // The highlighted row is always inside the window.
    expect(selectedLine(app.frame())).toBeDefined();
  });

  it('keeps the selected forward selected when rows move, and its position when it goes', async () => {
    const fwds = sample();
    const b = createFakeBackend({ forwards: fwds });
    const app = mount(b, { now: () => NOW });
    await tick();
    await app.press('j', 'j'); // db, api, [web]
    expect(selectedLine(app.frame())?.slice(1).split(' ')[0]).toBe('web');
    // A new forward sorts before it: the highlight stays on web.
    await app.update(() => b.setForwards([named(7, 'a', 'shop'), ...fwds]));
    expect(selectedLine(app.frame())?.slice(1).split(' ')[0]).toBe('web');
    // web is removed: the highlight stays at that position.
    await app.update(() =>
      b.setForwards([named(7, 'a', 'shop'), ...fwds.filter((f) => f.serviceName !== 'web')]),
    );
    expect(selectedLine(app.frame())?.slice(1).split(' ')[0]).toBe('cache');
  });

  it('follows a resize of the terminal', async () => {
    const b = createFakeBackend({ forwards: syntheticForwards(60) });
    const app = mount(b, { width: undefined, height: undefined });
    await tick();
    // ink-testing-library's stdout is 100 columns; rows unknown → 30.
    expect(tableLines(app.frame()).length).toBe(18);
    Object.defineProperty(app.stdout, 'rows', { value: 40, configurable: true });
    Object.defineProperty(app.stdout, 'columns', { value: 150, configurable: true });
    app.stdout.emit('resize');
    await tick();
    expect(tableLines(app.frame()).length).toBe(25);
    expect(
      app
        .frame()
        .split('\n')
        .find((l) => l.startsWith('╭'))!.length,
    ).toBe(150);
  });
});

describe('filter and sort', () => {
  it('filters by name as you type, applies on Enter, clears on Esc', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await tick();
    await app.press('/', 'q', 'u');
    expect(app.frame()).toContain('Filter: qu█');
    expect(
      tableLines(app.frame())
        .slice(1)
        .filter((l) => l.trim()),
    ).toHaveLength(1);
    await app.press(KEY.backspace, KEY.backspace, 'a', 'p', 'i', KEY.enter);
    expect(app.frame()).toContain('Filter: api (press Esc to clear)');
    expect(app.frame()).toContain('Services 1/1 (of 5)');
    // q while the filter is applied (not typing) still quits; typing q in the filter did not.
    expect(app.quits()).toBe(0);
    await app.press(KEY.esc);
    expect(app.frame()).not.toContain('Filter:');
    expect(app.frame()).toContain('Services 1/5');
  });

  it('filters by namespace and status, and Esc while typing restores the previous filter', async () => {
    const b = createFakeBackend({ forwards: [...sample(), named(8, 'other', 'payments')] });
    const app = mount(b, { now: () => NOW });
    await tick();
    await app.press('/', 'ns:pay', KEY.enter);
    expect(app.frame()).toContain('Services 1/1 (of 6)');
    await app.press(
      '/',
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
      KEY.backspace,
    );
    await app.press('status:error', KEY.enter);
    expect(selectedLine(app.frame())?.slice(1).split(' ')[0]).toBe('db');
    expect(app.frame()).toContain('(of 6)');
    await app.press('/', 'x', KEY.esc);
    expect(app.frame()).toContain('Filter: status:error (press Esc to clear)');
    // A bare word matches statuses too (kubefwd's docs promised it).
    await app.press(KEY.esc, '/', 'waiting', KEY.enter);
    expect(selectedLine(app.frame())?.slice(1).split(' ')[0]).toBe('web');
    await app.press(KEY.esc, '/', 'nothing-like-this', KEY.enter);
    expect(app.frame()).toContain('No forwards match the filter "nothing-like-this"');
  });

  it('cycles the sort with s and reverses it with o', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await tick();
    const order = (): string[] => rowNames(app.frame());
    expect(app.frame()).toContain('sort: name len ↑');
    await app.press('s');
    expect(app.frame()).toContain('sort: status ↑');
    expect(order()).toEqual(['db', 'web', 'cache', 'api', 'queue']);
    await app.press('o');
    expect(app.frame()).toContain('sort: status ↓');
    expect(order()[0]).toBe('queue');
    await app.press('s');
    expect(app.frame()).toContain('sort: namespace ↑');
    await app.press('s');
    expect(app.frame()).toContain('sort: rate ↑');
    expect(order()[0]).toBe('api');
    await app.press('s', 's');
    expect(app.frame()).toContain('sort: name len ↑');
  });
});

describe('keys', () => {
  it('q and Ctrl+C quit', async () => {
    const app = mount(createFakeBackend());
    await app.press('q');
    expect(app.quits()).toBe(1);
    const app2 = mount(createFakeBackend());
    await app2.press('/', KEY.ctrlC);
    expect(app2.quits()).toBe(1);
  });

  it('? toggles help, closed by ?, q or Esc (q does not quit there)', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }));
    await app.press('?');
    expect(app.frame()).toContain('Keyboard Shortcuts');
    expect(app.frame()).toContain('Reconnect errored services');
    expect(app.frame()).toMatch(
      /R {11}Reconnect selected service\s[^\n]*\n[^\n]* {12}\(closes its open connections\)/,
    );
    await app.press('?');
    expect(app.frame()).not.toContain('Keyboard Shortcuts');
    await app.press('?', 'q');
    expect(app.frame()).not.toContain('Keyboard Shortcuts');
    expect(app.quits()).toBe(0);
    await app.press('?', KEY.esc);
    expect(app.frame()).not.toContain('Keyboard Shortcuts');
  });

  it('help in an 80x24 terminal: one column, no text cut off, j/k scroll to the last key', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { width: 80, height: 24 });
    await app.press('?');
    expect(app.frame()).toMatch(/j\/k scroll, 1-\d+ of \d+/);
    expect(app.frame()).toContain('Reconnect errored services');
    // Nothing cut off, the help nor the status line (short labels keep the rates and sort in view).
    expect(app.frame()).not.toMatch(/…/);
    expect(app.frame()).toMatch(/Fwd 2\/5 \| Err 1 \| Wait 1 \| Rc 7 \| ↓ .* \| ↑ .* \| sort: /);
    for (let i = 0; i < 60; i++) await app.press('j');
    expect(app.frame()).toContain('Scroll content'); // the last entry
    expect(app.frame()).not.toContain('Reconnect errored services');
    // Past the end it does not keep counting: one k moves one line up at once.
    const end = /(\d+)-(\d+) of (\d+)/.exec(app.frame())!;
    await app.press('k');
    expect(app.frame()).toContain(`${Number(end[1]) - 1}-${Number(end[2]) - 1} of ${end[3]}`);
    await app.press('g');
    expect(app.frame()).toContain('Reconnect errored services');
  });

  it('b and c toggle the bandwidth columns and the compact view', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }));
    await tick();
    await app.press('b');
    expect(tableLines(app.frame())[0]).not.toContain('Total In');
    expect(tableLines(app.frame())[0]).toContain('Info');
    await app.press('b', 'c');
    const head = tableLines(app.frame())[0]!;
    expect(head).toContain('Local Address');
    expect(head).toContain('Pod');
    expect(head).not.toMatch(/\bPort\b/);
    expect(rowOf(app.frame(), 'api')).toContain('api-pod');
  });

  it('r reconnects errored services and says how many', async () => {
    const b = createFakeBackend({ forwards: sample() });
    const app = mount(b);
    await app.press('r');
    expect(b.calls.some((c) => c.method === 'reconnectErrored')).toBe(true);
    expect(app.frame()).toContain('Reconnecting 2 service(s) with errors...');
    b.setForwards(sample().filter((f) => f.status === 'Active'));
    await app.press('r');
    expect(app.frame()).toContain('No services with errors to reconnect');
  });

  it('R reconnects, u syncs and d removes the highlighted service', async () => {
    const b = createFakeBackend({ forwards: sample() });
    const app = mount(b, { now: () => NOW });
    await tick();
    await app.press('j'); // api
    await app.press('R', 'u', 'd');
    expect(b.calls.filter((c) => c.method !== 'httpTraffic')).toEqual([
      { method: 'reconnectService', args: ['api.shop.sim'] },
      { method: 'syncService', args: ['api.shop.sim', true] },
      { method: 'removeService', args: ['api.shop.sim'] },
    ]);
    expect(app.frame()).toContain('Removed forward: api.shop.sim');
    expect(app.frame()).toContain('[INFO] Removed forward: api.shop.sim');
    // Unlike u, R drops the service's open connections (a psql session is lost): it says so.
    expect(app.frame()).toContain('[INFO] Reconnecting api.shop.sim, closing its open connections...');
  });

  it('reports a failing intent instead of crashing', async () => {
    const b = createFakeBackend({ forwards: sample() });
    b.removeService = async () => {
      throw new Error('SERVICE_NOT_FOUND: gone already');
    };
    const app = mount(b);
    await app.press('d');
    expect(app.frame()).toContain('Remove failed: SERVICE_NOT_FOUND: gone already');
  });

  it('Tab focuses the logs panel, where j/k/g/G scroll and End resumes following', async () => {
    const logs = Array.from({ length: 40 }, (_, i) => ({
      at: NOW + i,
      level: 'info' as const,
      message: `line ${i}`,
    }));
    const b = createFakeBackend({ forwards: sample(), logs });
    const app = mount(b);
    await tick();
    expect(app.frame()).toContain('line 39');
    await app.press(KEY.tab, 'k', 'k', 'k');
    expect(app.frame()).toContain('Paused');
    expect(app.frame()).not.toContain('line 39');
    // j in the logs does not move the table selection.
    await app.press('j');
    expect(app.frame()).toContain('Services 1/5');
    await app.press('g');
    expect(app.frame()).toContain('line 0');
    await app.press('G');
    expect(app.frame()).toContain('Following');
    expect(app.frame()).toContain('line 39');
    await app.press(KEY.tab, 'j');
    expect(app.frame()).toContain('Services 2/5');
  });
});

describe('throttling', () => {
  it('folds a burst of backend changes into few renders', async () => {
    const b = createFakeBackend({ forwards: syntheticForwards(20) });
    const app = mount(b, { renderIntervalMs: 200 });
    await tick(50);
    const before = app.frames.length;
    for (let i = 0; i < 100; i++) b.setForwards(syntheticForwards(20).map((f) => ({ ...f, bytesIn: i })));
    await tick(400);
    const renders = app.frames.length - before;
    expect(renders).toBeGreaterThanOrEqual(1);
    expect(renders).toBeLessThanOrEqual(3);
    expect(app.frame()).toContain('99 B');
  });

  it('stops listening to the backend when unmounted', async () => {
    const b = createFakeBackend();
    const app = mount(b);
    await tick();
    expect(b.listenerCount()).toBe(1);
    app.unmount();
    await tick();
    expect(b.listenerCount()).toBe(0);
  });
});

describe('fast typing', () => {
  it('"/name" arriving as one chunk opens the filter with the name', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await app.press('/api');
    expect(app.frame()).toContain('Filter: api█');
    expect(rowNames(app.frame())).toEqual(['api']);
  });
});

describe('pasted filter text', () => {
  it('a chunk ending in Enter is typed and applied', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => NOW });
    await app.press('/', 'queue\r');
    expect(app.frame()).toContain('Filter: queue (press Esc to clear)');
    expect(rowNames(app.frame())).toEqual(['queue']);
  });
});

describe('countdown', () => {
  it('"retry in" counts down without other changes', async () => {
    let now = NOW;
    const app = mount(createFakeBackend({ forwards: sample() }), { now: () => now });
    expect(rowOf(app.frame(), 'web')).toContain('retry in 4s');
    now += 2000;
    await until(() => expect(rowOf(app.frame(), 'web')).toContain('retry in 2s'), 3000);
  });
});

describe('header contexts (kubefwd#38)', () => {
  it('shows the forwarded context, and the kubeconfig one when it differs', async () => {
    const b = createFakeBackend({
      currentContext: 'dev',
      namespaces: [
        {
          key: 'shop.prod',
          namespace: 'shop',
          context: 'prod',
          serviceCount: 1,
          activeCount: 1,
          errorCount: 0,
          running: true,
        },
      ],
    });
    const app = mount(b);
    expect(app.frame().split('\n')[0]).toContain('ctx: prod (kubeconfig: dev) | ns: shop');
  });
});

describe('mouse', () => {
  it('the wheel moves the selection, a click selects a row, a click in the logs focuses them', async () => {
    const app = mount(createFakeBackend({ forwards: syntheticForwards(50) }), { height: 30 });
    await app.press('\x1b[<65;10;8M');
    expect(app.frame()).toContain('Services 4/50');
    await app.press('\x1b[<64;10;8M');
    expect(app.frame()).toContain('Services 1/50');
    await app.press('\x1b[<0;10;9M'); // fourth row
    expect(app.frame()).toContain('Services 4/50');
    await app.press('\x1b[<0;10;9m'); // its release does nothing
    expect(app.frame()).toContain('Services 4/50');
    await app.press('\x1b[<0;10;27M');
    expect(app.frame()).toMatch(/▌Logs/);
  });

  it('a mouse report never lands in the filter', async () => {
    const app = mount(createFakeBackend({ forwards: sample() }));
    await app.press('/', '\x1b[<65;10;8M', 'api');
    expect(app.frame()).toContain('Filter: api█');
  });
});
