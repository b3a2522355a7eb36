// TUI render time per frame at many rows, through the tui helper's measureRender (the real App on an
// in-memory terminal, every forward's figures changing between frames so no frame is skipped).
import { measureRender, type RenderMeasurement } from '../../src/tui/index.js';
import type { BenchOptions, Section, SectionResult } from '../lib/runner.js';
import { round } from '../lib/stats.js';
import { renderTable } from '../lib/table.js';

export const tuiSection: Section = {
  name: 'tui',
  description: 'TUI render time per frame at 50 and 500 rows',
  async run(o: BenchOptions): Promise<SectionResult> {
    const frames = Number(o.settings.tuiFrames ?? (o.quick ? 20 : 100));
    const sizes = (o.settings.tuiRows ?? '50,500').split(',').map(Number);
    const results: RenderMeasurement[] = [];
    for (const rows of sizes) {
      results.push(await measureRender(rows, { frames }));
      o.log(`tui: ${rows} rows measured`);
    }
    const table = renderTable(
      `TUI render per frame (${frames} frames after warm-up, 160x50 terminal)`,
      ['rows', 'frames', 'mean ms/frame', 'p95 ms', 'first frame ms', 'max fps'],
      results.map((r) => [
        r.rows,
        r.frames,
        round(r.msPerFrame, 2),
        round(r.p95Ms, 2),
        round(r.firstFrameMs),
        round(1000 / r.msPerFrame, 0),
      ]),
    );
    const at500 = results.find((r) => r.rows === 500);
    return {
      data: results,
      tables: [table],
      goals: at500
        ? [
            {
              goal: '500 rows render within one 100 ms refresh (p95)',
              met: at500.p95Ms <= 100,
              detail: `p95 ${round(at500.p95Ms, 2)} ms`,
            },
          ]
        : [],
    };
  },
};
