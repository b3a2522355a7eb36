// measureRender is what `npm run bench` calls for "render time per frame at 500 rows"; here only
// its shape is checked (timings belong to the bench).
import { describe, expect, it } from 'vitest';
import { measureRender } from '../../src/tui/index.js';

describe('measureRender', () => {
  it('renders 500 forwards frame after frame and reports per-frame times', async () => {
    const m = await measureRender(500, { frames: 5, width: 140, height: 40 });
    console.log(JSON.stringify(m));
    expect(m.rows).toBe(500);
    expect(m.frames).toBe(5);
    expect(m.msPerFrame).toBeGreaterThan(0);
    expect(m.p95Ms).toBeGreaterThanOrEqual(0);
  });
});
