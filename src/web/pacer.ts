// Spreads row refreshes over animation frames: when the forwards change (every forward's bytes move
// each second), each row on screen whose data is stale is queued, and at most `perFrame` of them
// re-render in one frame. A frame's work is then bounded whatever the number of forwards or the
// rate of events; a full screen catches up within a few frames (~8 rows × 60 Hz).

export interface Scheduler {
  request(fn: () => void): number;
  cancel(id: number): void;
}

export interface PacedRow {
  /** True when the row shows older data than the live copy holds. */
  stale(): boolean;
  /** Re-render from the live copy. */
  refresh(): void;
}

export interface Pacer {
  /** A mounted row; returns its unregistration. */
  register(key: string, row: PacedRow): () => void;
  /** The live copy changed: queue the stale rows on screen. */
  check(): void;
  /** Rows waiting for a frame. */
  pending(): number;
  close(): void;
}

/** Rows refreshed per animation frame by default. */
export const ROWS_PER_FRAME = 8;

export const createPacer = (scheduler: Scheduler, perFrame = ROWS_PER_FRAME): Pacer => {
  const rows = new Map<string, PacedRow>();
  /** Insertion-ordered: rows queued first refresh first. */
  const queue = new Set<string>();
  let frame: number | undefined;

  const run = (): void => {
    frame = undefined;
    let done = 0;
    for (const key of queue) {
      if (done >= perFrame) break;
      queue.delete(key);
      const row = rows.get(key);
      // Unmounted since, or already current (re-rendered by its parent): nothing to do.
      if (!row?.stale()) continue;
      row.refresh();
      done++;
    }
    if (queue.size > 0) frame = scheduler.request(run);
  };

  return {
    register(key, row) {
      rows.set(key, row);
      return () => {
        if (rows.get(key) === row) rows.delete(key);
        queue.delete(key);
      };
    },
    check() {
      for (const [key, row] of rows) if (row.stale()) queue.add(key);
      if (queue.size > 0 && frame === undefined) frame = scheduler.request(run);
    },
    pending: () => queue.size,
    close() {
      if (frame !== undefined) scheduler.cancel(frame);
      frame = undefined;
      queue.clear();
      rows.clear();
    },
  };
};

/** The browser's animation frames. */
export const animationFrames: Scheduler = {
  request: (fn) => requestAnimationFrame(fn),
  cancel: (id) => cancelAnimationFrame(id),
};
