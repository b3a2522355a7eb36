/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard in a real browser (Debian's Chromium, headless, through playwright-core) against the
// real kubefwd process on the simulated cluster: login by one-time link, the live list, a pod
// deleted in the cluster showing up without reload, reconnect and add/remove from the page,
// hostile HTTP paths shown as text, and the login/CSRF/DNS-rebinding refusals as a browser meets them.
import { mkdirSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../src/api/client/index.js';
import { ERROR_CODES, type ErrorCode } from '../../src/contract/errors.js';
import { chromiumPath, launchChromium, NO_CHROMIUM, type Browser } from '../../bench/lib/chromium.js';
import { isBuilt, repoRoot, runCli, type CliProcess } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { echoRoundTrip, eventually, resolveName } from '../e2e/net.js';

/**
 * Screenshots of this run (gitignored); with KUBEFWD_DOCS_SCREENSHOTS=1 they go to docs/ instead,
 * the ones the README shows.
 */
export const SHOT_DIR =
  process.env.KUBEFWD_DOCS_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs')
    : join(repoRoot, 'test-results', 'dashboard');
const shot = (name: string): string => join(SHOT_DIR, `dashboard-${name}.png`);

const randomIpBase = (): string =>
  `127.${40 + Math.floor(Math.random() * 180)}.${1 + Math.floor(Math.random() * 250)}.1`;

/**
 * The sim's context is named like an EKS cluster: dots and slashes, so every key the page builds,
 * reads and puts in its address (#/service/<key>) goes through the key module's parse/format.
 */
const CONTEXT = 'arn:aws:eks:us-east-1:123:cluster/prod.eu';

const hasChromium = chromiumPath() !== undefined;
if (!hasChromium) console.warn(NO_CHROMIUM);

let fx: Fixture;
let p: CliProcess;
let browser: Browser;
let api: ApiClient;
let base: string;
let ctxName: string;

/** A one-time link from `kubefwd open --print-url`, as a user's script gets it. */
const printUrl = async (): Promise<string> => {
  const r = await runCli(['open', '--print-url'], { env: fx.env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim();
};

/** One HTTP/1.1 GET to api-gateway's forward, path sent byte for byte (no client-side escaping). */
const rawGet = (ip: string, path: string): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const s = connect(8080, ip, () =>
      s.end(`GET ${path} HTTP/1.1\r\nHost: api-gateway\r\nConnection: close\r\n\r\n`),
    );
    s.on('data', () => undefined)
      .on('close', () => resolve())
      .on('error', reject);
  });

const newPage = async (): Promise<Page> => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
};

const loggedInPage = async (): Promise<Page> => {
  const page = await newPage();
  await page.goto(await printUrl());
  await page.waitForSelector('#link-state.link-live');
  return page;
};

/** The pod shown in the row of a service's first forward. */
const podCell = (page: Page, serviceKey: string) =>
  page.locator(`.row[data-service="${serviceKey}"] .pod`).first();

describe.skipIf(!hasChromium || !isBuilt())('dashboard in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    mkdirSync(SHOT_DIR, { recursive: true });
    fx = await createFixture(randomIpBase(), { contextName: CONTEXT });
    p = fx.start(['-n', 'shop']);
    const m = await p.waitFor(/Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/login\?token=/);
    base = m[1]!;
    const file = JSON.parse(readFileSync(join(fx.home, '.kubefwd', 'api.json'), 'utf8')) as { key: string };
    api = createApiClient({ baseUrl: base, key: file.key });
    ctxName = (await api.k8sContexts()).currentContext;
    expect(ctxName).toBe(CONTEXT);
    await eventually(async () => {
      const { forwards } = await api.listForwards({ limit: 1000 });
      return (
        forwards.length > 3 && forwards.some((f) => f.serviceName === 'api-gateway' && f.status === 'Active')
      );
    }, 40_000);
    browser = await launchChromium({ resolve: ['evil.test'] });
  }, 90_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(fx.output().slice(-6000));
  });
  afterAll(async () => {
    await browser?.close();
    p?.kill('SIGTERM');
    await p?.exited;
    await fx?.close();
  });

  it('logs in by a one-time link: the token leaves the address, the cookie is HttpOnly and Strict', async () => {
    const link = await printUrl();
    expect(link).toMatch(new RegExp(`^${base}/login\\?token=[A-Za-z0-9_-]{40,}$`));
    const page = await newPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/`);
    await page.waitForSelector('#link-state.link-live');
    const cookies = await browser.context.cookies(base);
    const session = cookies.find((c) => c.name === 'kubefwd_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('kubefwd_session');
    // The same link again: refused, and it says what to do.
    const again = await newPage();
    const r2 = await again.goto(link);
    expect(r2?.status()).toBe(401);
    expect(await again.textContent('body')).toContain('kubefwd open');
    const none = await again.goto(`${base}/login`);
    expect(none?.status()).toBe(401);
    await again.close();
    await page.close();
    // The banner's link went to the terminal only: kubefwd's log, which the API and MCP's get_logs
    // hand out, never holds a login token.
    expect(JSON.stringify(await api.logs({ count: 1000 }))).not.toContain('login?token');
  });

  it('lists the namespace’s services live, grouped by context/namespace', async () => {
    const page = await loggedInPage();
    const { services } = await api.listServices({ limit: 1000 });
    expect(services.length).toBeGreaterThan(3);
    for (const s of services) await page.waitForSelector(`.row[data-service="${s.key}"]`);
    expect(await page.locator(`.group-head[data-namespace="shop.${ctxName}"]`).count()).toBe(1);
    // The TUI's filter syntax.
    await page.fill('input.filter', 'redis');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('.row[data-service]')];
      return rows.length === 1 && rows[0]!.getAttribute('data-service')!.startsWith('redis.');
    });
    await page.fill('input.filter', '');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.row[data-service]').length >= n,
      services.length,
    );
    await page.screenshot({ path: shot('forwards') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: shot('forwards-dark') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
  });

  it('a pod deleted in the cluster changes the row’s pod within a second, without reload', async () => {
    const page = await loggedInPage();
    const key = `postgres.shop.${ctxName}`;
    const before = (await podCell(page, key).textContent())!.trim();
    expect(before).toMatch(/^postgres-/);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await fx.sim.control.deletePod('shop', before);
    // When the API knows the new pod, the page must show it within a second.
    const after = await eventually(async () => {
      const f = (await api.listForwards({ limit: 1000 })).forwards.find((x) => x.serviceKey === key);
      return f && f.podName !== before && f.status === 'Active' ? f.podName : undefined;
    }, 40_000);
    await page.waitForFunction(
      ([k, pod]) => document.querySelector(`.row[data-service="${k}"] .pod`)?.textContent?.trim() === pod,
      [key, after] as const,
      { timeout: 1000 },
    );
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.close();
  });

  it('reconnects a service from its page and shows connection strings', async () => {
    const page = await loggedInPage();
    const key = `api-gateway.shop.${ctxName}`;
    await page.click(`.row[data-service="${key}"] .name a`);
    await page.waitForSelector('#reconnect-service');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/service/${key}`);
    expect(await page.locator('.detail-head h2').textContent()).toBe('api-gateway');
    expect(await page.locator('.detail-head .sub').textContent()).toBe(`shop · ${ctxName}`);
    expect(await page.locator('.connect code').allTextContents()).toContain('api-gateway:8080');
    const before = (await api.serviceReconnections(key)).length;
    // It says, before and when, that a reconnect closes the service's open connections.
    expect(await page.getAttribute('#reconnect-service', 'title')).toMatch(/closes its open connections/);
    await page.click('#reconnect-service');
    await page.waitForSelector(`.notice:has-text("Reconnecting ${key}, closing its open connections")`);
    await eventually(async () => {
      const recs = await api.serviceReconnections(key);
      return recs.length > before && recs.some((r) => r.trigger === 'manual');
    }, 20_000);
    await page.close();
  });

  it('a service page opened by its address reads the key, dotted context and all', async () => {
    const page = await loggedInPage();
    // Not forwarded: nothing live to take the names from, so the page parses the key.
    await page.goto(`${base}/#/service/${encodeURIComponent(`billing.ledger.${ctxName}`)}`);
    await page.waitForSelector('.detail-head h2');
    expect(await page.locator('.detail-head h2').textContent()).toBe('billing');
    expect(await page.locator('.detail-head .sub').textContent()).toBe(`ledger · ${ctxName}`);
    await page.close();
  });

  it('adds and removes a namespace and a single service by browsing the cluster', async () => {
    const page = await loggedInPage();
    await page.goto(`${base}/#/browse`);
    await page.click('#namespaces li[data-namespace="analytics"] button:has-text("Forward all")');
    await page.goto(`${base}/#/`);
    await page.waitForSelector(`.row[data-namespace="analytics.${ctxName}"]`, {
      timeout: 40_000,
    });
    await page.click(`.group-head[data-namespace="analytics.${ctxName}"] button:has-text("Stop namespace")`);
    await page.waitForSelector(`.group-head[data-namespace="analytics.${ctxName}"]`, {
      state: 'detached',
      timeout: 40_000,
    });
    // One service of it, then stop that one from its detail page.
    await page.goto(`${base}/#/browse`);
    await page.click('#namespaces li[data-namespace="analytics"] button.link');
    await page.click('#services li[data-service="reports"] button:has-text("Forward")');
    await page.goto(`${base}/#/`);
    const key = `reports.analytics.${ctxName}`;
    await page.waitForSelector(`.row[data-service="${key}"]`, { timeout: 40_000 });
    expect(await page.locator(`.row[data-namespace="analytics.${ctxName}"]`).count()).toBe(1);
    await page.click(`.row[data-service="${key}"] .name a`);
    await page.click('#remove-service');
    await page.waitForFunction(() => location.hash === '#/');
    await page.waitForSelector(`.row[data-service="${key}"]`, { state: 'detached', timeout: 40_000 });
    expect((await api.listServices({ limit: 1000 })).services.some((s) => s.key === key)).toBe(false);
    await page.close();
  });

  it('forwards several marked services at once from browse (a marks all, a box unmarks one)', async () => {
    const page = await loggedInPage();
    await page.goto(`${base}/#/browse`);
    await page.click('#namespaces li[data-namespace="analytics"] button.link');
    await page.waitForSelector('#services li[data-service] input[type=checkbox]');
    const names = await page
      .locator('#services li[data-service]:has(input[type=checkbox])')
      .evaluateAll((lis) => lis.map((l) => l.getAttribute('data-service')!));
    expect(names.length).toBeGreaterThan(1);
    await page.keyboard.press('a');
    await page.waitForSelector(`#forward-marked:has-text("Forward ${names.length} marked")`);
    await page.click(`#services li[data-service="${names[0]}"] input[type=checkbox]`);
    await page.waitForSelector(`#forward-marked:has-text("Forward ${names.length - 1} marked")`);
    await page.click('#forward-marked');
    const keys = names.slice(1).map((n) => `${n}.analytics.${ctxName}`);
    try {
      await page.goto(`${base}/#/`);
      for (const k of keys) await page.waitForSelector(`.row[data-service="${k}"]`, { timeout: 40_000 });
      expect(await page.locator(`.row[data-service="${names[0]}.analytics.${ctxName}"]`).count()).toBe(0);
    } finally {
      for (const k of keys) await api.removeService(k).catch(() => undefined);
    }
    await page.close();
  });

  it('shows a hostile HTTP path as text, never as markup', async () => {
    const hostile = ['/<img/src/onerror=window.pwned=1>', '/%3Cimg%20src=x%20onerror=window.pwned=2%3E'];
    const ip = await resolveName(fx.hostsPath, 'api-gateway');
    for (const path of hostile) await rawGet(ip, path);
    const key = `api-gateway.shop.${ctxName}`;
    await eventually(async () => {
      const t = await api.serviceHttpTraffic(key);
      return t.forwards.flatMap((f) => f.logs).filter((l) => hostile.includes(l.path)).length === 2;
    }, 20_000);
    const page = await loggedInPage();
    await page.goto(`${base}/#/service/${encodeURIComponent(key)}`);
    await page.waitForSelector('table.http td.path');
    const paths = await page.locator('table.http td.path').allTextContents();
    for (const h of hostile) expect(paths).toContain(h);
    expect(await page.locator('table.http img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.screenshot({ path: shot('service'), fullPage: true });
    await page.close();
  });

  it('streams the pod’s log lines into the service page as they are written', async () => {
    const key = `api-gateway.shop.${ctxName}`;
    const page = await loggedInPage();
    await page.goto(`${base}/#/service/${encodeURIComponent(key)}`);
    await page.waitForFunction(() =>
      (document.querySelector('pre.logs')?.textContent ?? '').includes('[sim]'),
    );
    const marker = `/follow-${Math.random().toString(36).slice(2)}`;
    const ip = await resolveName(fx.hostsPath, 'api-gateway');
    await rawGet(ip, marker);
    await page.waitForFunction(
      (m) => (document.querySelector('pre.logs')?.textContent ?? '').includes(m),
      marker,
    );
    await page.close();
  });

  it('has the TUI’s keys: move, filter, sort, open, copy, reconnect, sync, remove, help, logs, toggles', async () => {
    const page = await loggedInPage();
    const { services } = await api.listServices({ limit: 1000 });
    for (const s of services) await page.waitForSelector(`.row[data-service="${s.key}"]`);
    const selected = (): Promise<string | null> =>
      page.locator('.row.selected').first().getAttribute('data-key');
    const keys = await page
      .locator('.row[data-key]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(await selected()).toBe(keys[0]);
    await page.keyboard.press('j');
    expect(await selected()).toBe(keys[1]);
    await page.keyboard.press('k');
    expect(await selected()).toBe(keys[0]);
    await page.keyboard.press('G');
    expect(await selected()).toBe(keys[keys.length - 1]);
    await page.keyboard.press('g');
    expect(await selected()).toBe(keys[0]);
    await page.keyboard.press('PageDown');
    expect(await selected()).toBe(keys[keys.length - 1]); // one screen holds them all
    // s cycles the sort, o reverses it.
    await page.keyboard.press('s');
    expect(await page.inputValue('select[aria-label="Sort by"]')).toBe('status');
    await page.keyboard.press('o');
    await page.waitForSelector('button[aria-label="Reverse the order"]:has-text("↓")');
    await page.keyboard.press('s');
    await page.keyboard.press('s');
    await page.keyboard.press('s');
    await page.keyboard.press('s');
    expect(await page.inputValue('select[aria-label="Sort by"]')).toBe('hostname');
    // Named as the TUI names it: shortest name first is not an alphabetical "hostname" order.
    expect(await page.locator('select[aria-label="Sort by"] option:checked').textContent()).toBe('name len');
    // `/` focuses the filter; typing there is typing; Enter keeps it, Esc (outside) clears it.
    await page.keyboard.press('/');
    await page.keyboard.type('redis');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
    await page.waitForFunction(() => document.querySelectorAll('.row[data-service]').length === 1);
    // R reconnects the selected service, u syncs it.
    const redis = `redis.shop.${ctxName}`;
    expect(await page.locator('.row.selected').getAttribute('data-service')).toBe(redis);
    const before = (await api.serviceReconnections(redis)).length;
    await page.keyboard.press('R');
    await eventually(async () => (await api.serviceReconnections(redis)).length > before, 20_000);
    await page.keyboard.press('u');
    await page.waitForSelector(`.notice:has-text("Synced the pods of ${redis}")`);
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.row[data-service]').length >= n,
      services.length,
    );
    // b hides the bandwidth columns, c makes rows compact; both toggle back.
    await page.keyboard.press('b');
    await page.waitForSelector('.vlist.no-bw');
    await page.keyboard.press('b');
    await page.keyboard.press('c');
    await page.waitForSelector('section.forwards.compact');
    await page.keyboard.press('c');
    // ? shows every key; Esc closes it.
    await page.keyboard.press('?');
    await page.waitForSelector('#help:has-text("Copy a connect string")');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help', { state: 'detached' });
    // Enter opens the selected service; 1 copies its first connect string; Esc goes back.
    await page.keyboard.press('g');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/service/'));
    await page.waitForSelector('.connect code');
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const first = (await page.locator('.connect code').first().textContent())!;
    // The daemon writes to a --hosts-path file: the IP's string comes first, and the page says why.
    expect(first).toMatch(/^127\.\d+\.\d+\.\d+:\d+$/);
    expect(await page.textContent('#names-only-in')).toContain('which no resolver reads: connect by IP');
    await page.keyboard.press('1');
    await page.waitForSelector(`.notice:has-text("Copied ${first}")`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash === '#/');
    // l: kubefwd's log; f: browse the cluster.
    await page.keyboard.press('l');
    await page.waitForFunction(() => location.hash === '#/logs');
    await page.keyboard.press('f');
    await page.waitForFunction(() => location.hash === '#/browse');
    await page.close();
  });

  it('a forward in error shows the registry’s hint; r reconnects every service in error', async () => {
    const key = `redis.shop.${ctxName}`;
    const page = await loggedInPage();
    await page.waitForSelector(`.row[data-service="${key}"]`);
    fx.sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'shop' });
    try {
      fx.sim.control.cutStreams();
      await api.reconnectService(key);
      const row = page.locator(`.row[data-service="${key}"]`);
      await page.waitForSelector(`.row[data-service="${key}"].has-problem .hint`, { timeout: 40_000 });
      const f = (await api.listForwards({ limit: 1000 })).forwards.find((x) => x.serviceKey === key)!;
      expect(f.errorCode).toBeDefined();
      expect(await row.locator('.hint').textContent()).toContain(ERROR_CODES[f.errorCode as ErrorCode].hint);
      expect(await page.textContent('#error-count')).not.toBe('0 errors');
    } finally {
      fx.sim.control.allowAll();
    }
    await page.waitForSelector('#reconnect-errors:not([disabled])');
    await page.keyboard.press('r');
    await page.waitForSelector('.notice:has-text("Reconnecting the services in error")');
    await page.waitForSelector(`.row[data-service="${key}"]:not(.has-problem) .status-active`, {
      timeout: 40_000,
    });
    await page.close();
  });

  it('an Active forward whose pod refuses connections says so in its row, live', async () => {
    const key = `redis.shop.${ctxName}`;
    const page = await loggedInPage();
    const row = page.locator(`.row[data-service="${key}"]`);
    await page.waitForSelector(`.row[data-service="${key}"]:not(.has-problem) .status-active`);
    const pod = fx.sim.control.pods('shop').find((x) => x.metadata.name.startsWith('redis-'))!.metadata.name;
    await fx.sim.control.setBackend('shop', pod, 'refuse');
    try {
      const ip = await resolveName(fx.hostsPath, 'redis');
      expect((await echoRoundTrip(ip, 6379, Buffer.from('PING\r\n'), 5000)).length).toBe(0);
      // No reload: the failure arrives with the next second's bandwidth event.
      await page.waitForSelector(`.row[data-service="${key}"].has-problem .status-active`, {
        timeout: 10_000,
      });
      expect(await row.locator('.problem').textContent()).toMatch(/^connections fail: .*connection refused/);
    } finally {
      await fx.sim.control.setBackend('shop', pod, 'echo');
    }
    await page.close();
  });

  it('a namespace kubefwd cannot follow is said above the list, live, until it follows again', async () => {
    const page = await loggedInPage();
    await page.waitForSelector('.group-head');
    const alert = `.namespace-alerts [data-namespace="shop.${ctxName}"]`;
    expect(await page.locator(alert).count()).toBe(0);
    for (const verb of ['list', 'watch'])
      fx.sim.control.denyPermission({ verb, resource: 'pods', namespace: 'shop' });
    try {
      // The watches start again after the restart, and are refused.
      await fx.sim.control.restartApi();
      // First the restart itself (unreachable), then the refusal, on the next retry.
      await page.waitForSelector(`${alert}:has-text("forbidden")`, { timeout: 30_000 });
      const text = await page.locator(alert).textContent();
      expect(text).toContain(`kubefwd cannot follow namespace shop (${ctxName}) since`);
      expect(text).toMatch(/watch of pods failed: .*forbidden/);
      expect(text).toContain('PERMISSION_DENIED');
    } finally {
      fx.sim.control.allowAll();
    }
    await page.waitForSelector(alert, { state: 'detached', timeout: 60_000 });
    await page.close();
  });

  it('d stops the selected service; Sync pods works from the service page', async () => {
    await api.addService({ namespace: 'analytics', serviceName: 'reports', context: ctxName });
    const key = `reports.analytics.${ctxName}`;
    const page = await loggedInPage();
    await page.waitForSelector(`.row[data-service="${key}"]`, { timeout: 40_000 });
    await page.click(`.row[data-service="${key}"] .pod`);
    expect(await page.locator('.row.selected').getAttribute('data-service')).toBe(key);
    await page.keyboard.press('d');
    await page.waitForSelector(`.row[data-service="${key}"]`, { state: 'detached', timeout: 40_000 });
    expect((await api.listServices({ limit: 1000 })).services.some((s) => s.key === key)).toBe(false);
    const gw = `api-gateway.shop.${ctxName}`;
    await page.goto(`${base}/#/service/${encodeURIComponent(gw)}`);
    await page.click('#sync-service');
    await page.waitForSelector(`.notice:has-text("Synced the pods of ${gw}")`);
    await page.close();
  });

  it('d on a headless pod’s row stops its service (the pod entry alone would come back)', async () => {
    const pod0 = `kafka-0.kafka.shop.${ctxName}`;
    const page = await loggedInPage();
    await page.waitForSelector(`.row[data-service="${pod0}"]`, { timeout: 40_000 });
    await page.click(`.row[data-service="${pod0}"] .pod`);
    await page.keyboard.press('d');
    try {
      await page.waitForSelector(`.row[data-service="${pod0}"]`, { state: 'detached', timeout: 40_000 });
      const left = (await api.listServices({ limit: 1000 })).services.filter((s) =>
        s.serviceName.includes('kafka'),
      );
      expect(left).toEqual([]);
      expect(await page.locator('.notice.error').count()).toBe(0);
    } finally {
      await api
        .addService({ namespace: 'shop', serviceName: 'kafka', context: ctxName })
        .catch(() => undefined);
      await page.close();
    }
  });

  it('shows rates, errors and uptime in the header, and kubefwd’s log live on #/logs', async () => {
    const page = await loggedInPage();
    await page.waitForSelector('#uptime');
    const uptime = await page.textContent('#uptime');
    expect(uptime).toMatch(/^up \d/);
    // It moves on its own, every second.
    await page.waitForFunction((was) => document.querySelector('#uptime')?.textContent !== was, uptime, {
      timeout: 5_000,
    });
    expect(await page.textContent('#error-count')).toMatch(/^\d+ errors$/);
    expect(await page.textContent('#rates')).toMatch(/↓ .+ ↑ /);
    await page.goto(`${base}/#/logs`);
    await page.waitForSelector('#daemon-log .log-line');
    // A pod replaced in the cluster: the daemon logs the new one, the page shows the line as written.
    const key = `redis.shop.${ctxName}`;
    const f = (await api.listForwards({ limit: 1000 })).forwards.find((x) => x.serviceKey === key)!;
    await fx.sim.control.deletePod('shop', f.podName);
    const next = await eventually(async () => {
      const now = (await api.listForwards({ limit: 1000 })).forwards.find((x) => x.serviceKey === key);
      return now && now.podName !== f.podName && now.status === 'Active' ? now.podName : undefined;
    }, 40_000);
    await page.waitForFunction(
      (pod) =>
        [...document.querySelectorAll('#daemon-log .log-line')].some((l) =>
          (l.textContent ?? '').includes(`pod ${pod}`),
        ),
      next,
    );
    // The header's reconnect count follows the forwards' (the replacement counted), live.
    const reconnects = (await api.listForwards({ limit: 1000 })).forwards.reduce(
      (n, x) => n + x.reconnects,
      0,
    );
    expect(reconnects).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) =>
        document.querySelector('#reconnect-count')?.textContent === `${n} reconnect${n === 1 ? '' : 's'}`,
      reconnects,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: shot('logs') });
    await page.close();
  });

  it('refuses a change from another origin of the same site, carrying the cookie (403)', async () => {
    // A page on another port of 127.0.0.1 is the same *site*: the Strict cookie goes along, so only
    // the Origin check stands between it and the API.
    const target = `${base}/api/v1/services/reconnect?force=true`;
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      // Both ways a page can send a cookie-bearing POST: a script's fetch and a form submission.
      res.end(
        `<form method="POST" action="${target}"></form><script>` +
          `fetch(${JSON.stringify(target)}, {method:'POST', credentials:'include', mode:'no-cors'})` +
          `.finally(() => document.forms[0].submit())</script>`,
      );
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    try {
      const page = await loggedInPage();
      const { port } = attacker.address() as { port: number };
      const statuses: number[] = [];
      page.on('response', (r) => {
        if (r.url() === target) statuses.push(r.status());
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForURL(target);
      // FORBIDDEN_ORIGIN answers a live session cookie with a foreign Origin (no cookie would be 401).
      expect(await page.textContent('body')).toContain('FORBIDDEN_ORIGIN');
      expect(statuses).toEqual([403, 403]);
      await page.close();
    } finally {
      // Chromium keeps idle keep-alive connections open; close() alone would wait for them.
      attacker.closeAllConnections();
      await new Promise((r) => attacker.close(r));
    }
  });

  it('refuses a DNS-rebinding name even with the browser’s cookie jar (403)', async () => {
    const page = await loggedInPage();
    const port = new URL(base).port;
    const res = await page.goto(`http://evil.test:${port}/api/v1/services`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('body')).toContain('FORBIDDEN_HOST');
    await page.close();
  });

  it('`kubefwd open` hands the link to xdg-open', async () => {
    const bin = join(fx.dir, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    const seen = join(fx.dir, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const r = await runCli(['open'], { env: { ...fx.env, PATH: `${bin}:${fx.env.PATH ?? ''}` } });
    expect(r.code).toBe(0);
    const url = await eventually(async () => {
      try {
        return readFileSync(seen, 'utf8');
      } catch {
        return undefined;
      }
    });
    expect(url).toMatch(new RegExp(`^${base}/login\\?token=`));
    expect(r.stdout).toContain(url);
    expect(r.stderr).toBe('');
    // No desktop: xdg-open fails, and that is said (the link is printed all the same).
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\necho "xdg-open: no method available" >&2\nexit 3\n');
    const failed = await runCli(['open'], { env: { ...fx.env, PATH: `${bin}:${fx.env.PATH ?? ''}` } });
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(/login\?token=/);
    expect(failed.stderr).toContain('no browser was opened (xdg-open exited with 3; no desktop session?)');
  });
});

if (!hasChromium)
  describe('dashboard in Chromium', () => {
    it.skip(NO_CHROMIUM, () => undefined);
  });
