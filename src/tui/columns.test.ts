import { describe, expect, it } from 'vitest';
import { syntheticForward } from './fixtures.js';
import { headerLine, layoutColumns, problemText, rowCells } from './columns.js';
import { toRows } from './rows.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('columns', () => {
  it("lays out kubefwd's compact + bandwidth view to the exact width", () => {
    const cols = layoutColumns({
      width: 120,
      compact: true,
      bandwidth: true,
      showNamespace: false,
      showContext: false,
    });
    expect(cols.map((c) => c.id)).toEqual([
      'hostname',
      'port',
      'status',
      'reconnects',
      'totalIn',
      'totalOut',
      'rateIn',
      'rateOut',
      'trend',
    ]);
    expect(headerLine(cols).length).toBe(120);
  });

  it('the wide view shows address and pod; no bandwidth adds an info column', () => {
    const cols = layoutColumns({
      width: 140,
      compact: false,
      bandwidth: false,
      showNamespace: true,
      showContext: true,
    });
    expect(cols.map((c) => c.id)).toEqual([
      'hostname',
      'address',
      'pod',
      'namespace',
      'context',
      'status',
      'reconnects',
      'info',
    ]);
    expect(headerLine(cols).length).toBe(140);
  });

  it('drops the least useful columns on a narrow terminal, never the status', () => {
    const cols = layoutColumns({
      width: 60,
      compact: true,
      bandwidth: true,
      showNamespace: true,
      showContext: false,
    });
    const ids = cols.map((c) => c.id);
    expect(ids).toContain('hostname');
    expect(ids).toContain('status');
    expect(ids).not.toContain('trend');
    expect(headerLine(cols).length).toBeLessThanOrEqual(60);
  });

  it('explains a waiting or errored forward in place of its traffic cells', () => {
    const waiting = syntheticForward(5, { nextRetryAt: new Date(NOW + 3000).toISOString() });
    expect(problemText(waiting, NOW)).toBe('no ready pod · retry in 3s');
    expect(problemText(syntheticForward(6, { reason: undefined, error: 'boom' }), NOW)).toBe('boom');
    expect(problemText(syntheticForward(0), NOW)).toBeUndefined();
    // Re-dialling after a failure: the failure is the thing to read; still starting: nothing.
    const redial = syntheticForward(6, {
      status: 'Connecting',
      error: 'keep-alive: no answer',
      reason: 'lost connection to pod p: keep-alive: no answer; trying again now (attempt 1)',
      nextRetryAt: undefined,
    });
    expect(problemText(redial, NOW)).toBe(
      'lost connection to pod p: keep-alive: no answer; trying again now (attempt 1)',
    );
    expect(problemText(syntheticForward(6, { status: 'Connecting', error: undefined }), NOW)).toBeUndefined();
    const cols = layoutColumns({
      width: 120,
      compact: true,
      bandwidth: true,
      showNamespace: false,
      showContext: false,
    });
    const cells = rowCells(toRows([waiting])[0]!, cols, NOW);
    expect(cells.at(-1)!.tone).toBe('problem');
    expect(cells.at(-1)!.text.trim()).toBe('no ready pod · retry in 3s');
    expect(cells.map((c) => c.text).join(' ').length).toBe(headerLine(cols).length);
  });
});
