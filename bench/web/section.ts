/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard at scale, in Debian's Chromium: the real daemon forwarding N services of the
// simulated cluster (in its own process), bytes moving on every forward each second, the page
// open and logged in. Figures from the browser's performance timeline: the work of each update's
// frame (script from the frame's start through style and layout, `performance.measure` entries the
// page records when asked), the interval between animation frames, long animation frames; and the
// daemon's CPU with the page open against the same traffic without it.
import { connect, type Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { chromiumPath, launchChromium, NO_CHROMIUM } from '../lib/chromium.js';
import { startDaemon, waitAllActive } from '../lib/daemon-harness.js';
import { procUsage } from '../lib/processes.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { percentile, round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';
import { loadManifests, loadNamespaces } from '../engine/load-manifests.js';
import { startSimChild } from '../engine/sim-ipc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

interface PageFigures {
  updates: number;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  intervalP95: number;
  longFrames: number;
}

/** Starts recording in the page: rAF intervals and long animation frames; clears old measures. */
const startRecording = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const w = window as unknown as { kfIntervals: number[]; kfLong: number; kfStop: boolean };
    w.kfIntervals = [];
    w.kfLong = 0;
    w.kfStop = false;
    performance.clearMeasures('kubefwd-frame');
    let last = performance.now();
    const tick = (t: number): void => {
      w.kfIntervals.push(t - last);
      last = t;
      if (!w.kfStop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    try {
      new PerformanceObserver((list) => (w.kfLong += list.getEntries().length)).observe({
        type: 'long-animation-frame',
      });
    } catch {
      // older Chromium: no long-animation-frame entries
    }
  });

const stopRecording = async (page: Page): Promise<PageFigures> => {
  const r = await page.evaluate(() => {
    const w = window as unknown as { kfIntervals: number[]; kfLong: number; kfStop: boolean };
    w.kfStop = true;
    return {
      frames: performance.getEntriesByName('kubefwd-frame', 'measure').map((e) => e.duration),
      intervals: w.kfIntervals.slice(1),
      long: w.kfLong,
    };
  });
  return {
    updates: r.frames.length,
    frameP50: percentile(r.frames, 50),
    frameP95: percentile(r.frames, 95),
    frameMax: Math.max(...r.frames),
    intervalP95: percentile(r.intervals, 95),
    longFrames: r.long,
  };
};

export const webSection: Section = {
  name: 'web',
  description:
    'dashboard in Chromium: frame work p95 at 500 forwards with traffic on all; daemon CPU serving it',
  async run(o: BenchOptions): Promise<SectionResult> {
    if (chromiumPath() === undefined) {
      o.log(`web: skipped — ${NO_CHROMIUM}`);
      return { data: { skipped: NO_CHROMIUM }, tables: [`web: skipped — ${NO_CHROMIUM}`], goals: [] };
    }
    const services = Number(o.settings.webServices ?? (o.quick ? 100 : 500));
    const namespaces = Number(o.settings.namespaces ?? 10);
    const windowMs = Number(o.settings.webSeconds ?? (o.quick ? 8 : 20)) * 1000;
    const sim = await startSimChild();
    const ipBase = `127.${80 + Math.floor(Math.random() * 100)}.27.1`;
    const daemon = startDaemon({
      kubeconfigPath: sim.kubeconfigPath,
      ipBase,
      args: ['svc', '-n', loadNamespaces(namespaces).join(',')],
    });
    let traffic: { stop(): void } | undefined;
    const browser = await launchChromium();
    try {
      await sim.request({ cmd: 'apply', yaml: loadManifests(services, namespaces) });
      for (const ns of loadNamespaces(namespaces)) await sim.request({ cmd: 'waitReady', namespace: ns });
      const api = await daemon.api(120_000);
      await waitAllActive(api, services, 300_000);
      const { forwards } = await api.listForwards({ limit: 1000 });
      traffic = startTraffic(forwards.map((f) => ({ ip: f.localIP, port: Number(f.localPort) })));
      o.log(`web: ${forwards.length} forwards active, traffic on all of them`);
      await sleep(3000);
      const cpuWithout = await cpuOver(daemon.child.pid, windowMs);

      await browser.context.addInitScript(() => sessionStorage.setItem('kubefwdMeasure', '1'));
      const page = await browser.context.newPage();
      const t0 = performance.now();
      await page.goto((await api.dashboardLink()).url);
      await page.waitForFunction(
        (n) => Number(document.querySelector('.vlist')?.getAttribute('data-rows')) >= n,
        forwards.length,
        {
          timeout: 120_000,
        },
      );
      const firstLoadMs = performance.now() - t0;
      await sleep(3000);
      // The main thread's CPU time (Chrome's ThreadTime metric) is what the page costs whatever else
      // the machine runs; the wall-clock frame figures grow with the load average.
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const threadTime = async (): Promise<number> =>
        (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
      const cpu0 = await threadTime();
      await startRecording(page);
      const cpuWith = await cpuOver(daemon.child.pid, windowMs);
      const fig = await stopRecording(page);
      const pageCpuMs = ((await threadTime()) - cpu0) * 1000;
      const table = renderTable(
        `Dashboard in Chromium ${browser.context.browser()?.version() ?? ''}: ${forwards.length} forwards, bytes on every forward each second, ${windowMs / 1000} s window`,
        ['figure', 'value'],
        [
          ['page load to all rows shown (ms)', round(firstLoadMs)],
          ['updates rendered in the window', fig.updates],
          ['frame work per update p50 (ms)', round(fig.frameP50, 2)],
          ['frame work per update p95 (ms)', round(fig.frameP95, 2)],
          ['frame work per update max (ms)', round(fig.frameMax, 2)],
          ['animation frame interval p95 (ms)', round(fig.intervalP95, 2)],
          ['long animation frames (>50 ms)', fig.longFrames],
          ['page main-thread CPU per second (ms)', round(pageCpuMs / (windowMs / 1000), 1)],
          ['page main-thread CPU per update, mean (ms)', round(pageCpuMs / Math.max(1, fig.updates), 2)],
          ['daemon CPU without the page (% of a core)', round(cpuWithout, 1)],
          ['daemon CPU with the page open (% of a core)', round(cpuWith, 1)],
        ],
      );
      await page.close();
      return {
        data: { forwards: forwards.length, windowMs, firstLoadMs, ...fig, pageCpuMs, cpuWithout, cpuWith },
        tables: [table],
        goals: [
          {
            goal: `page under 16 ms per frame at p95 while updates stream (${forwards.length} forwards)`,
            met: fig.updates > 0 && fig.frameP95 < 16,
            detail: `p95 ${round(fig.frameP95, 2)} ms over ${fig.updates} updates`,
          },
          {
            goal: 'daemon CPU for serving the page stays small (< 5% of a core more)',
            met: cpuWith - cpuWithout < 5,
            detail: `${round(cpuWithout, 1)}% → ${round(cpuWith, 1)}%`,
          },
        ],
      };
    } finally {
      traffic?.stop();
      await browser.close();
      await daemon.stop();
      daemon.cleanup();
      await sim.stop();
    }
  },
};
