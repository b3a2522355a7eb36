// The one writer of our hosts-file block: changes are collected and written together after a short
// debounce (one write for a namespace of 500 services, not 500), through the HostsFileGateway (which
// locks and writes atomically). The first write of a run also removes stale kubefwd blocks left by
// a killed instance, and purges (-p) or counts foreign lines in kubefwd's range.
import { errorMessage } from '../contract/errors.js';
import type { EngineEvent } from './events.js';
import {
  countStaleHostnames,
  findBlocks,
  purgeStaleLines,
  removeBlocks,
  sanitiseBlockId,
  shadowedNames,
  splitLines,
  upsertBlock,
  type HostsEntry,
} from './hosts-block.js';
import { inKubefwdRange, parseIPv4 } from '../domain/ipv4.js';
import type { Clock, HostsFileGateway, Logger } from './gateways.js';

/** How many lines of a left-over hosts block its removal warning quotes. */
const REMOVED_LINES_SHOWN = 3;
/** How many shadowed names one warning lists. */
const SHADOWED_NAMES_SHOWN = 5;

export interface HostsWriterOptions {
  hosts: HostsFileGateway;
  clock: Clock;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  blockId: string;
  batchMs: number;
  purgeStale: boolean;
  maxHostsPerLine?: number | undefined;
  /** Which foreign blocks the first write removes (default all); ours is always replaced. */
  isStaleBlock?: ((id: string) => boolean) | undefined;
  /** Always in the block, first (the API's kubefwd.internal). */
  fixed?: HostsEntry | undefined;
}

export interface HostsWriter {
  /**
   * Adds or changes an entry. Resolves once a write that includes it has finished, or has failed
   * (the failure is logged and retried; a forward stays reachable by IP, so nobody waits forever).
   */
  set(key: string, entry: HostsEntry): Promise<void>;
  delete(key: string): void;
  /** Writes pending changes now and resolves when the file is up to date. */
  flush(): Promise<void>;
  /** Removes our block (after pending work); later changes are ignored. */
  close(): Promise<void>;
  /** Writes so far (for tests and the bench). */
  readonly writes: number;
}

/** The longest a change waits for its write during a burst, and the pause that ends a burst. */
const MAX_GAP_MS = 1000;
const QUIET_MS = 1000;

const ipNumber = (ip: string): number => {
  const o = parseIPv4(ip) ?? [0, 0, 0, 0];
  return ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
};

// One closure on purpose: batching, retry and close share the pending entries and the timer.
export const createHostsWriter = (opts: HostsWriterOptions): HostsWriter => {
  const id = sanitiseBlockId(opts.blockId);
  const entries = new Map<string, HostsEntry>();
  let firstWrite = true;
  let dirty = true;
  let closed = false;
  let timer: { cancel(): void } | undefined;
  let running: Promise<void> | undefined;
  let writes = 0;
  // Every change bumps the version; a write settles the waiters of the versions it included.
  let version = 0;
  let settledVersion = 0;
  let waiters: { version: number; resolve: () => void }[] = [];

  const settle = (upTo: number): void => {
    settledVersion = Math.max(settledVersion, upTo);
    const due = waiters.filter((w) => w.version <= upTo);
    waiters = waiters.filter((w) => w.version > upTo);
    for (const w of due) w.resolve();
  };

  const render = (): HostsEntry[] => {
    const list = [...entries.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip));
    return opts.fixed ? [opts.fixed, ...list] : list;
  };

  // Names a foreign line sends elsewhere, said once each (the file is not ours to fix).
  const toldShadowed = new Set<string>();
  const warnShadowed = (content: string, block: readonly HostsEntry[]): void => {
    const groups = new Map<string, { foreignIp: string; ip: string; names: string[] }>();
    for (const s of shadowedNames(content, id, block)) {
      const told = `${s.name} ${s.foreignIp} ${s.ip}`;
      if (toldShadowed.has(told)) continue;
      toldShadowed.add(told);
      const key = `${s.foreignIp} ${s.ip}`;
      const group = groups.get(key) ?? { foreignIp: s.foreignIp, ip: s.ip, names: [] };
      group.names.push(s.name);
      groups.set(key, group);
    }
    for (const g of groups.values()) {
      const shown = g.names.slice(0, SHADOWED_NAMES_SHOWN).join(', ');
      const more = g.names.length - SHADOWED_NAMES_SHOWN;
      // A line in kubefwd's range is most likely the Go kubefwd's, left by a crash: -p removes those.
      const fix = inKubefwdRange(g.foreignIp)
        ? 'that line is in kubefwd’s address range, likely left by an earlier kubefwd: start with -p (--purge-stale-ips) to remove such lines'
        : 'remove or change that line to reach the forward by name (kubefwd never edits lines outside its block)';
      opts.logger.warn(
        `hosts file ${opts.hosts.path}: an earlier line maps ${shown}${more > 0 ? ` and ${more} more` : ''} to ${
          g.foreignIp
        }, so ${g.names.length > 1 ? 'they resolve' : 'it resolves'} there, not to ${g.ip}; ${fix}`,
      );
    }
  };

  const writeOnce = async (): Promise<void> => {
    dirty = false;
    const included = version;
    const block = render();
    const start = firstWrite;
    await opts.hosts.update((content) => {
      let next = content;
      if (start) {
        const stale = opts.isStaleBlock ?? (() => true);
        const remove = (b: string): boolean => b !== id && stale(b);
        // Every block removed is logged with what it held, so nothing disappears without a word: its
        // first lines in the warning (one line, however big the block), all of them with -v.
        const lines = splitLines(next);
        for (const span of findBlocks(lines).filter((s) => remove(s.id))) {
          const held = lines
            .slice(span.start + 1, span.end)
            .map((l) => l.trim())
            .filter((l) => l !== '');
          const shown = held.slice(0, REMOVED_LINES_SHOWN).join('; ');
          const more = held.length - REMOVED_LINES_SHOWN;
          opts.logger.warn(
            `Removing hosts block "${span.id}" left by a kubefwd that is no longer running: ${
              shown || '(empty)'
            }${more > 0 ? ` and ${more} more lines (-v lists them)` : ''}`,
          );
          if (more > 0) opts.logger.debug(`Hosts block "${span.id}" held: ${held.join('; ')}`);
        }
        next = removeBlocks(next, remove);
        if (opts.purgeStale) {
          const purged = purgeStaleLines(next);
          next = purged.content;
          if (purged.purged > 0)
            opts.logger.info(`Purged ${purged.purged} stale host entries from previous kubefwd sessions`);
        } else {
          const stale = countStaleHostnames(next);
          if (stale > 0)
            opts.logger.info(
              `HOUSEKEEPING: Found ${stale} existing host entries in kubefwd IP range. These will not affect operation and will be preserved. Use -p to purge on next run if you no longer need them.`,
            );
        }
      }
      warnShadowed(next, block);
      return upsertBlock(
        next,
        id,
        block,
        opts.maxHostsPerLine === undefined ? {} : { maxHostsPerLine: opts.maxHostsPerLine },
      );
    });
    firstWrite = false;
    writes++;
    settle(included);
    opts.emit({ type: 'HostsWritten', at: opts.clock.now(), path: opts.hosts.path, entries: block.length });
    opts.logger.debug(`hosts file ${opts.hosts.path} updated (${block.length} addresses)`);
  };

  // A long start changes the block for many seconds: each write in a burst of changes waits twice
  // as long as the one before (batchMs, 2×, 4×… up to MAX_GAP_MS), so 2,000 services cost about
  // ten writes, not one per 50 ms (issue 18); a change after a quiet second starts over at batchMs.
  let burst = 0;
  let lastChangeAt = -Infinity;
  const gap = (): number => Math.min(MAX_GAP_MS, opts.batchMs * 2 ** burst);

  /** Writes until the file is up to date (`drain`), or once; a scheduled write is one of a burst. */
  const run = (drain = true): Promise<void> => {
    if (running) return running;
    const current = (async () => {
      try {
        if (dirty && !closed) await writeOnce();
        while (drain && dirty && !closed) await writeOnce();
        if (!drain) {
          burst++;
          if (dirty) schedule(gap());
        }
      } catch (err) {
        opts.logger.error(`cannot update hosts file ${opts.hosts.path}: ${errorMessage(err)}`);
        settle(version);
        // Try again later; the block catches up with everything on the next write.
        dirty = true;
        schedule(1000);
      }
    })();
    running = current;
    // Cleared only after `running` was assigned: when nothing is dirty the body above finishes
    // synchronously, and clearing it inside would leave a settled promise in `running` forever,
    // making flush()/close() spin on it without ever yielding to timers or signals.
    void current.then(() => {
      if (running === current) running = undefined;
    });
    return current;
  };

  const schedule = (ms: number): void => {
    if (closed || timer) return;
    timer = opts.clock.setTimeout(() => {
      timer = undefined;
      // A write already under way: the changes wait for the next one.
      if (running) void running.then(() => dirty && schedule(gap()));
      else void run(false);
    }, ms);
  };

  const cancelTimer = (): void => {
    timer?.cancel();
    timer = undefined;
  };

  const touch = (): void => {
    const now = opts.clock.now();
    if (now - lastChangeAt > QUIET_MS) burst = 0;
    lastChangeAt = now;
    dirty = true;
    version++;
    schedule(gap());
  };

  /** Resolves when what is pending now has been written (at once when nothing is pending). */
  const written = (): Promise<void> =>
    version <= settledVersion || closed
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ version, resolve }));

  schedule(0);

  return {
    set(key, entry) {
      if (closed) return Promise.resolve();
      const prior = entries.get(key);
      if (prior?.ip !== entry.ip || prior.hostnames.join(' ') !== entry.hostnames.join(' ')) {
        entries.set(key, { ip: entry.ip, hostnames: [...entry.hostnames] });
        touch();
      }
      return written();
    },
    delete(key) {
      if (closed || !entries.delete(key)) return;
      touch();
    },
    async flush() {
      cancelTimer();
      while (running) await running;
      if (dirty && !closed) await run();
    },
    async close() {
      if (closed) return;
      cancelTimer();
      while (running) await running;
      closed = true;
      // The write awaited above may have failed and scheduled a retry, or a set() may have come in.
      cancelTimer();
      settle(Infinity);
      entries.clear();
      try {
        await opts.hosts.update((content) => removeBlocks(content, (b) => b === id));
        writes++;
        opts.emit({ type: 'HostsWritten', at: opts.clock.now(), path: opts.hosts.path, entries: 0 });
      } catch (err) {
        opts.logger.error(
          `cannot remove kubefwd entries from hosts file ${opts.hosts.path}: ${errorMessage(err)}`,
        );
      }
    },
    get writes() {
      return writes;
    },
  };
};
