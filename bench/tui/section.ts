// TUI render time per frame at many rows, through the tui helper's measureRender (the real App on an
// in-memory terminal, every forward's figures changing between frames so no frame is skipped).
import type { RenderMeasurement } from '../../src/tui/index.js';
import { loadTui } from '../../src/tui/load.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';

export const tuiSection: Section = {
  name: 'tui',
  description: 'TUI render time per frame at 500 and 2,000 rows, every row changing',
  async run(o: BenchOptions): Promise<SectionResult> {
    const frames = Number(o.settings.tuiFrames ?? (o.quick ? 20 : 100));
    const sizes = (o.settings.tuiRows ?? '500,2000').split(',').map(Number);
    // Loaded as the product loads it (React's production build unless NODE_ENV says otherwise).
    const { measureRender } = await loadTui();
    const results: RenderMeasurement[] = [];
    for (const rows of sizes) {
      results.push(await measureRender(rows, { frames }));
      o.log(`tui: ${rows} rows measured`);
    }
    const table = renderTable(
      `TUI render per frame (${frames} frames after warm-up, 160x50 terminal)`,
      [
        'rows',
        'frames',
        'mean ms/frame',
        'p95 ms',
        'CPU ms/frame',
        'CPU p95 ms',
        'first frame ms',
        'max fps',
        'frames changed',
        'bytes/frame',
      ],
      results.map((r) => [
        r.rows,
        r.frames,
        round(r.msPerFrame, 2),
        round(r.p95Ms, 2),
        round(r.cpuMsPerFrame, 2),
        round(r.cpuP95Ms, 2),
        round(r.firstFrameMs),
        round(1000 / r.msPerFrame, 0),
        r.changedFrames,
        r.bytesPerFrame,
      ]),
    );
    // Wall time is the goal (a frame on screen within 16 ms: 60 fps); on a shared machine the CPU
    // time per frame is the figure that does not move with other processes' load.
    const goals = results
      .filter((r) => r.rows >= 500)
      .map((r) => ({
        goal: `${r.rows} rows, all updating: a frame in < 16 ms at p95 (60 fps)`,
        // Only a frame that was written whole and changed counts (nothing skipped as unchanged).
        met: r.p95Ms < 16 && r.changedFrames === r.frames,
        detail: `p95 ${round(r.p95Ms, 2)} ms wall, ${round(r.cpuP95Ms, 2)} ms CPU, ${r.changedFrames}/${r.frames} frames changed`,
      }));
    return { data: results, tables: [table], goals };
  },
};
