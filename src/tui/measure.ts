// Render time per frame of the whole TUI at N forwards, for `npm run bench` (bench/ belongs to the
// transport helper; it can call measureRender). Mounts the real App on an in-memory terminal with
// rendering unthrottled, then times each frame from "state changed" to "frame written", changing
// every forward's traffic figures between frames so nothing is skipped as unchanged.
import { EventEmitter } from 'node:events';
import { createElement } from 'react';
import { render } from 'ink';
import { App } from './app.js';
import { EMPTY_SUMMARY, type TuiBackend, type TuiState } from './backend.js';
import { syntheticForwards } from './fixtures.js';
import { THEMES } from './theme.js';

export interface RenderMeasurement {
  rows: number;
  frames: number;
  width: number;
  height: number;
  /** Mean wall time per frame (state change → frame written), ms. */
  msPerFrame: number;
  /** 95th percentile, ms. */
  p95Ms: number;
  /** The first render (mount), ms. */
  firstFrameMs: number;
  /**
   * CPU time of the process per frame (user + system), mean and 95th percentile, ms: unlike wall
   * time it does not grow when other processes take the cores.
   */
  cpuMsPerFrame: number;
  cpuP95Ms: number;
  /**
   * Timed frames whose bytes differed from the frame before (every one should: each changes every
   * row's figures), and the mean bytes written per frame: proof that whole frames were written.
   */
  changedFrames: number;
  bytesPerFrame: number;
}

class MemoryStdout extends EventEmitter {
  constructor(
    readonly columns: number,
    readonly rows: number,
    private readonly onWrite: (chunk: string) => void,
  ) {
    super();
  }
  readonly isTTY = false;
  write = (chunk: string): boolean => {
    this.onWrite(chunk);
    return true;
  };
}

class IdleStdin extends EventEmitter {
  readonly isTTY = true;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

const unusable = (): Promise<never> => Promise.reject(new Error('not available in the render measurement'));

// A benchmark scenario written out step by step; splitting it would hide the order.
export const measureRender = async (
  rows: number,
  opts: { frames?: number; warmupFrames?: number; width?: number; height?: number } = {},
): Promise<RenderMeasurement> => {
  const frames = opts.frames ?? 50;
  // Untimed frames first, so the figure is the steady state and not the JIT warming up.
  const warmup = opts.warmupFrames ?? 10;
  const width = opts.width ?? 160;
  const height = opts.height ?? 50;
  const base = syntheticForwards(rows);
  let state: TuiState = {
    forwards: base,
    namespaces: [],
    summary: { ...EMPTY_SUMMARY, totalForwards: rows },
    currentContext: 'sim',
    logs: [],
    connected: true,
  };
  const listeners = new Set<() => void>();
  const backend: TuiBackend = {
    getState: () => state,
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    removeService: unusable,
    reconnectService: unusable,
    reconnectErrored: unusable,
    syncService: unusable,
    addNamespace: unusable,
    removeNamespace: unusable,
    addService: unusable,
    listContexts: unusable,
    listNamespaces: unusable,
    listServices: unusable,
    httpTraffic: unusable,
    podLogs: unusable,
    close: () => undefined,
  };

  let written: (() => void) | undefined;
  let lastChunk = '';
  let changed = false;
  const stdout = new MemoryStdout(width, height, (chunk) => {
    changed = chunk !== lastChunk;
    lastChunk = chunk;
    written?.();
  });
  const nextFrame = (): Promise<void> => new Promise((resolve) => (written = resolve));

  const t0 = performance.now();
  let first = nextFrame();
  const instance = render(
    createElement(App, {
      backend,
      version: 'bench',
      theme: THEMES.dark,
      width,
      height,
      renderIntervalMs: 0,
      copy: async () => false,
      onQuit: () => undefined,
    }),
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new IdleStdin() as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  await first;
  const firstFrameMs = performance.now() - t0;

  const times: number[] = [];
  const cpuTimes: number[] = [];
  let changedFrames = 0;
  let bytes = 0;
  try {
    for (let n = 1; n <= warmup + frames; n++) {
      state = {
        ...state,
        forwards: base.map((f, i) => ({ ...f, bytesIn: f.bytesIn + n * 100, rateIn: ((i + n) % 17) * 64 })),
      };
      first = nextFrame();
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      for (const l of [...listeners]) l();
      await first;
      const cpu = process.cpuUsage(cpu0);
      if (n > warmup) {
        times.push(performance.now() - start);
        cpuTimes.push((cpu.user + cpu.system) / 1000);
        if (changed) changedFrames++;
        bytes += Buffer.byteLength(lastChunk);
      }
    }
  } finally {
    instance.unmount();
    instance.cleanup();
  }
  const mean = (xs: number[]): number =>
    Math.round((xs.reduce((s, t) => s + t, 0) / Math.max(1, xs.length)) * 100) / 100;
  const p95 = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round((sorted[Math.floor(sorted.length * 0.95)] ?? 0) * 100) / 100;
  };
  return {
    rows,
    frames,
    width,
    height,
    msPerFrame: mean(times),
    p95Ms: p95(times),
    firstFrameMs: Math.round(firstFrameMs * 100) / 100,
    cpuMsPerFrame: mean(cpuTimes),
    cpuP95Ms: p95(cpuTimes),
    changedFrames,
    bytesPerFrame: Math.round(bytes / Math.max(1, frames)),
  };
};
