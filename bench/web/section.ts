/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard at scale, in Debian's Chromium: the real daemon forwarding N services of the
// simulated cluster (in its own process), bytes moving on every forward each second, the page
// open and logged in. Figures from Chromium's performance timeline (a trace, the events DevTools'
// performance panel reads): each frame's main-thread CPU and wall-clock time (`trace-frames.ts`),
// long animation frames; the page's main-thread CPU per second; and the daemon's CPU with the page
// open against the same traffic without it.
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { CDPSession, Page } from 'playwright-core';
import { chromiumPath, launchChromium, NO_CHROMIUM } from '../lib/chromium.js';
import { startDaemon, waitAllActive } from '../lib/daemon-harness.js';
import { procUsage } from '../lib/processes.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { percentile, round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';
import { loadManifests, loadNamespaces } from '../engine/load-manifests.js';
import { startSimChild } from '../engine/sim-ipc.js';
import { frameCosts, type TraceEvent } from './trace-frames.js';
import { randomIpBase } from '../lib/addresses.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The frame budget at 60 Hz. */
export const FRAME_BUDGET_MS = 16;
/** How much more of a core the daemon may spend while the page is open. */
export const DAEMON_EXTRA_CPU_PCT = 5;

/** One connection per forward writing a few hundred bytes a second (echoed back, discarded). */
const startTraffic = (targets: { ip: string; port: number }[]): { stop(): void } => {
  const sockets: Socket[] = [];
  for (const t of targets) {
    const s = connect(t.port, t.ip);
    s.on('data', () => undefined).on('error', () => undefined);
    sockets.push(s);
  }
  const chunk = Buffer.alloc(512, 0x61);
  const timer = setInterval(() => {
    for (const s of sockets) if (s.writable) s.write(chunk.subarray(0, 64 + Math.floor(Math.random() * 448)));
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
    },
  };
};

/** Daemon CPU (% of one core) over `ms`. */
const cpuOver = async (pid: number | undefined, ms: number): Promise<number> => {
  const a = procUsage(pid)?.cpuSeconds ?? NaN;
  await sleep(ms);
  const b = procUsage(pid)?.cpuSeconds ?? NaN;
  return ((b - a) / (ms / 1000)) * 100;
};

/** The figures the goals are judged on. */
export interface WebFigures {
  forwards: number;
  frames: number;
  frameCpuP95: number;
  frameWallP95: number;
  cpuWithout: number;
  cpuWith: number;
}

/** The section's goals, one MET/NOT MET line each in `npm run bench`'s output. */
export const webGoals = (f: WebFigures): NonNullable<SectionResult['goals']> => [
  {
    goal: `page under ${FRAME_BUDGET_MS} ms of main-thread CPU per frame at p95 while updates stream (${f.forwards} forwards, Chromium trace)`,
    met: f.frames > 0 && f.frameCpuP95 < FRAME_BUDGET_MS,
    detail: `CPU p95 ${round(f.frameCpuP95, 2)} ms over ${f.frames} frames`,
  },
  {
    goal: `page under ${FRAME_BUDGET_MS} ms wall-clock per frame at p95 (${f.forwards} forwards; grows with the machine's load)`,
    met: f.frames > 0 && f.frameWallP95 < FRAME_BUDGET_MS,
    detail: `wall-clock p95 ${round(f.frameWallP95, 2)} ms over ${f.frames} frames`,
  },
  {
    goal: `daemon CPU for serving the page stays small (< ${DAEMON_EXTRA_CPU_PCT}% of a core more)`,
    met: f.cpuWith - f.cpuWithout < DAEMON_EXTRA_CPU_PCT,
    detail: `${round(f.cpuWithout, 1)}% without the page → ${round(f.cpuWith, 1)}% with it`,
  },
];

/** Records a Chromium trace of the page's renderer while `during` runs. */
const traced = async <T>(
  cdp: CDPSession,
  during: () => Promise<T>,
  detailed: boolean,
): Promise<[T, TraceEvent[]]> => {
  const events: TraceEvent[] = [];
  const onData = (e: { value: unknown[] }): void => {
    for (const v of e.value) events.push(v as TraceEvent);
  };
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      // RunTask (each task's wall and thread time) and BeginMainThreadFrame (where a frame began).
      includedCategories: [
        'disabled-by-default-devtools.timeline',
        'disabled-by-default-devtools.timeline.frame',
        // What a frame's time went to (script, style, layout, paint): only for a written trace.
        ...(detailed ? ['devtools.timeline'] : []),
      ],
    },
  });
  const result = await during();
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);
  return [result, events];
};

/** Counts long animation frames (> 50 ms) from now on. */
const countLongFrames = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const w = window as unknown as { kfLong: number };
    w.kfLong = 0;
    try {
      new PerformanceObserver((list) => (w.kfLong += list.getEntries().length)).observe({
        type: 'long-animation-frame',
      });
    } catch {
      // older Chromium: no long-animation-frame entries
    }
  });

export const webSection: Section = {
  name: 'web',
  description:
    'dashboard in Chromium: trace-based frame CPU p95 at 500 forwards with traffic on all; daemon CPU serving it',
  async run(o: BenchOptions): Promise<SectionResult> {
    if (chromiumPath() === undefined) {
      o.log(`web: skipped — ${NO_CHROMIUM}`);
      return { data: { skipped: NO_CHROMIUM }, tables: [`web: skipped — ${NO_CHROMIUM}`], goals: [] };
    }
    const services = Number(o.settings.webServices ?? (o.quick ? 100 : 500));
    const namespaces = Number(o.settings.namespaces ?? 10);
    const windowMs = Number(o.settings.webSeconds ?? (o.quick ? 8 : 20)) * 1000;
    /** `--set webShot=docs/dashboard-500.png`: a screenshot of the page at scale. */
    const shot = o.settings.webShot;
    /** `--set webTrace=FILE`: the trace as JSON, for DevTools' performance panel (Load profile…). */
    const traceFile = o.settings.webTrace;
    const sim = await startSimChild();
    let daemon: ReturnType<typeof startDaemon> | undefined;
    let traffic: { stop(): void } | undefined;
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      // The namespaces exist before kubefwd starts (it refuses a namespace the cluster lacks).
      await sim.request({ cmd: 'apply', yaml: loadManifests(services, namespaces) });
      for (const ns of loadNamespaces(namespaces)) await sim.request({ cmd: 'waitReady', namespace: ns });
      daemon = startDaemon({
        kubeconfigPath: sim.kubeconfigPath,
        ipBase: randomIpBase(),
        args: ['svc', '-n', loadNamespaces(namespaces).join(',')],
      });
      const api = await daemon.api(120_000);
      await waitAllActive(api, services, 300_000);
      const { forwards } = await api.listForwards({ limit: 1000 });
      traffic = startTraffic(forwards.map((f) => ({ ip: f.localIP, port: Number(f.localPort) })));
      o.log(`web: ${forwards.length} forwards active, traffic on all of them`);
      await sleep(3000);
      const cpuWithout = await cpuOver(daemon.child.pid, windowMs);

      browser = await launchChromium();
      const page = await browser.context.newPage();
      const t0 = performance.now();
      await page.goto((await api.dashboardLink()).url);
      await page.waitForFunction(
        (n) => Number(document.querySelector('.vlist')?.getAttribute('data-rows')) >= n,
        forwards.length,
        { timeout: 120_000 },
      );
      const firstLoadMs = performance.now() - t0;
      await sleep(3000);
      if (shot) await page.screenshot({ path: shot });
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Performance.enable');
      // The main thread's CPU time (Chrome's ThreadTime metric) over the window.
      const threadTime = async (): Promise<number> =>
        (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
      await countLongFrames(page);
      const cpu0 = await threadTime();
      const [cpuWith, events] = await traced(
        cdp,
        () => cpuOver(daemon!.child.pid, windowMs),
        traceFile !== undefined,
      );
      if (traceFile) writeFileSync(traceFile, JSON.stringify({ traceEvents: events }));
      const pageCpuMs = ((await threadTime()) - cpu0) * 1000;
      const longFrames = await page.evaluate(() => (window as unknown as { kfLong: number }).kfLong);
      const costs = frameCosts(events);
      const fig: WebFigures = {
        forwards: forwards.length,
        frames: costs.cpuMs.length,
        frameCpuP95: percentile(costs.cpuMs, 95),
        frameWallP95: percentile(costs.wallMs, 95),
        cpuWithout,
        cpuWith,
      };
      const table = renderTable(
        `Dashboard in Chromium ${browser.context.browser()?.version() ?? ''}: ${forwards.length} forwards, bytes on every forward each second, ${windowMs / 1000} s window`,
        ['figure', 'value'],
        [
          ['page load to all rows shown (ms)', round(firstLoadMs)],
          ['frames in the window (trace)', fig.frames],
          ['frame main-thread CPU p50 (ms)', round(percentile(costs.cpuMs, 50), 2)],
          ['frame main-thread CPU p95 (ms)', round(fig.frameCpuP95, 2)],
          ['frame main-thread CPU max (ms)', round(Math.max(...costs.cpuMs), 2)],
          ['frame wall-clock p95 (ms)', round(fig.frameWallP95, 2)],
          ['frame wall-clock max (ms)', round(Math.max(...costs.wallMs), 2)],
          ['other main-thread tasks > 16 ms', costs.longOtherTasks],
          ['long animation frames (> 50 ms)', longFrames],
          ['page main-thread CPU per second (ms)', round(pageCpuMs / (windowMs / 1000), 1)],
          ['daemon CPU without the page (% of a core)', round(cpuWithout, 1)],
          ['daemon CPU with the page open (% of a core)', round(cpuWith, 1)],
        ],
      );
      await page.close();
      return {
        data: { ...fig, windowMs, firstLoadMs, longFrames, pageCpuMs, longOtherTasks: costs.longOtherTasks },
        tables: [table],
        goals: webGoals(fig),
      };
    } finally {
      traffic?.stop();
      await browser?.close();
      if (daemon) {
        await daemon.stop();
        daemon.cleanup();
      }
      await sim.stop();
    }
  },
};
