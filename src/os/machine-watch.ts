// Connections to a cluster can die without a word: a laptop that slept (its NAT, VPN or Wi-Fi
// forgot them meanwhile), a network that changed under them (a VPN up or down, another Wi-Fi).
// TCP notices only when it next sends and gives up after minutes; kubefwd's keep-alive notices
// after up to 40 s, and a watch of the API server after its timeout (5–10 min). This watch notices
// at once and says why, so the engine can prove every connection right away:
// - a pause: the process ran nothing for far longer than its tick. The wall clock runs on while a
//   machine sleeps and the monotonic one does not, so the two tell sleep from a stopped process
//   (Ctrl-Z, SIGSTOP) or one that was starved of CPU;
// - a change in the machine's addresses (loopback and IPv6 link-local ones left out: kubefwd's own
//   loopback aliases and the link-local address every new virtual interface brings are no change
//   of network).
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** What a tick reads: the wall clock and the monotonic clock, in ms. */
export interface ClockReading {
  wall: number;
  mono: number;
}

/** Why the connections may be dead: "the machine was asleep for 12m 5s", …; `slept`: a sleep was one of the causes. */
export interface MachineChange {
  reason: string;
  slept: boolean;
}

export interface MachineWatchOptions {
  onChange(change: MachineChange): void;
  /** How often it looks. Default 2 s. */
  tickMs?: number;
  /** A pause at least this much longer than a tick counts. Default 10 s. */
  pauseMs?: number;
  /** Injected for tests. */
  now?: () => ClockReading;
  /** Throws like os.networkInterfaces() (EMFILE when file descriptors run out). */
  addresses?: () => string[];
}

export interface MachineWatch {
  stop(): void;
}

const DEFAULT_TICK_MS = 2_000;
const DEFAULT_PAUSE_MS = 10_000;

const systemNow = (): ClockReading => ({ wall: Date.now(), mono: performance.now() });

/** "12m 5s", "1h 3m", "14s". */
export const formatPause = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
};

/**
 * Why the time between two ticks `tickMs` apart is a pause that may have cost the connections, or
 * undefined when it is not one (at least `pauseMs` more than a tick).
 */
export const pauseBetween = (
  prev: ClockReading,
  now: ClockReading,
  tickMs: number,
  pauseMs: number,
): MachineChange | undefined => {
  const wall = now.wall - prev.wall;
  const mono = now.mono - prev.mono;
  // Asleep: the wall clock went on without the monotonic one. (A wall clock set forward looks
  // the same; proving the connections then costs a PING each.) The time said is the whole gap
  // between the ticks: the pause itself lies between that less a tick and that.
  if (wall - tickMs >= pauseMs && wall - mono >= pauseMs)
    return { reason: `the machine was asleep for ${formatPause(wall)}`, slept: true };
  if (mono - tickMs >= pauseMs)
    return {
      reason: `kubefwd did not run for ${formatPause(mono)} (stopped, or starved of CPU)`,
      slept: false,
    };
  return undefined;
};

const isLinkLocalV6 = (a: NetworkInterfaceInfo): boolean =>
  a.family === 'IPv6' && /^fe[89ab]/i.test(a.address);

/** The machine's network addresses that matter, as sorted "interface address" strings. */
export const networkAddresses = (
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] =>
  Object.entries(interfaces)
    .flatMap(([name, list]) =>
      (list ?? []).filter((a) => !a.internal && !isLinkLocalV6(a)).map((a) => `${name} ${a.address}`),
    )
    .sort();

/** Why two address lists differ ("the network changed: wlan0 192.168.1.5 gone, tun0 10.8.0.2 new"), or undefined. */
export const addressChange = (before: readonly string[], after: readonly string[]): string | undefined => {
  const had = new Set(before);
  const has = new Set(after);
  const gone = before.filter((a) => !has.has(a)).map((a) => `${a} gone`);
  const added = after.filter((a) => !had.has(a)).map((a) => `${a} new`);
  const all = [...gone, ...added];
  return all.length === 0 ? undefined : `the network changed: ${all.join(', ')}`;
};

export const watchMachine = (opts: MachineWatchOptions): MachineWatch => {
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  const pauseMs = opts.pauseMs ?? DEFAULT_PAUSE_MS;
  const now = opts.now ?? systemNow;
  const read = opts.addresses ?? (() => networkAddresses());
  // Out of file descriptors, the interfaces cannot be read: that tick compares nothing (the
  // addresses stay as last known) rather than ending kubefwd from a timer.
  const addresses = (fallback: string[]): string[] => {
    try {
      return read();
    } catch {
      return fallback;
    }
  };
  let last = now();
  let known = addresses([]);
  const timer = setInterval(() => {
    const reading = now();
    const current = addresses(known);
    // One call per tick: a laptop that woke on another network is told both at once.
    const pause = pauseBetween(last, reading, tickMs, pauseMs);
    const moved = addressChange(known, current);
    last = reading;
    known = current;
    const reasons = [pause?.reason, moved].filter((r): r is string => r !== undefined);
    if (reasons.length > 0) opts.onChange({ reason: reasons.join('; '), slept: pause?.slept === true });
  }, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
