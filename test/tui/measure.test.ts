// measureRender is what `npm run bench` calls for "render time per frame at 500 rows"; here only
// its shape is checked (timings belong to the bench).
import { describe, expect, it } from 'vitest';
import { measureRender } from '../../src/tui/index.js';
import { installFastOutput } from '../../src/tui/install-fast-output.js';

describe('measureRender', () => {
  it('renders 500 forwards frame after frame and reports per-frame times', async () => {
    const m = await measureRender(500, { frames: 5, width: 140, height: 40 });
    console.log(JSON.stringify(m));
    expect(m.rows).toBe(500);
    expect(m.frames).toBe(5);
    expect(m.msPerFrame).toBeGreaterThan(0);
    expect(m.p95Ms).toBeGreaterThanOrEqual(0);
    // Every timed frame wrote a whole, different screen (nothing skipped as unchanged).
    expect(m.changedFrames).toBe(5);
    expect(m.bytesPerFrame).toBeGreaterThan(140 * 20);
  });

  it('writes whole changing frames through the fast frame assembly too (as the bench runs it)', async () => {
    expect(await installFastOutput()).toBe(true);
    const m = await measureRender(2000, { frames: 5, width: 140, height: 40 });
    expect(m.changedFrames).toBe(5);
    expect(m.bytesPerFrame).toBeGreaterThan(140 * 20);
  });
});
