import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { syntheticForward, syntheticForwards } from './fixtures.js';
import {
  sortLabel,
  filterRows,
  DEFAULT_SORT,
  matchesFilter,
  nextSortField,
  resolveSelection,
  scrollOffset,
  shortestHostname,
  sortRows,
  spansMany,
  toRows,
  visibleRows,
} from './rows.js';

describe('rows', () => {
  it('the filter takes a service key, full or short, as REST and MCP do', () => {
    const rows = toRows([
      syntheticForward(1, {
        serviceName: 'postgres',
        namespace: 'shop',
        serviceKey: 'postgres.shop.prod',
        hostnames: ['db'],
      }),
      syntheticForward(2, {
        serviceName: 'redis',
        namespace: 'shop',
        serviceKey: 'redis.shop.prod',
        hostnames: ['cache'],
      }),
    ]);
    for (const f of ['postgres.shop.prod', 'postgres.shop'])
      expect(
        filterRows(rows, f).map((r) => r.forward.serviceName),
        f,
      ).toEqual(['postgres']);
  });

  it('names the order in the footer’s words', () => {
    expect(sortLabel(DEFAULT_SORT)).toBe('name len ↑');
    expect(sortLabel({ field: 'status', descending: true })).toBe('status ↓');
  });

  it('uses the shortest hostname, else the service name', () => {
    expect(shortestHostname(syntheticForward(1))).toBe('svc-0001');
    expect(shortestHostname(syntheticForward(1, { hostnames: [], serviceName: 'x' }))).toBe('x');
  });

  it("sorts by kubefwd's order by default: shortest hostname, then name, then local port", () => {
    const rows = toRows([
      syntheticForward(1, { hostnames: ['bbb'], localPort: '90' }),
      syntheticForward(2, { hostnames: ['bbb'], localPort: '80' }),
      syntheticForward(3, { hostnames: ['a'] }),
      syntheticForward(4, { hostnames: ['aaa'] }),
    ]);
    expect(sortRows(rows, DEFAULT_SORT).map((r) => `${r.hostname}:${r.forward.localPort}`)).toEqual([
      'a:8003',
      'aaa:8004',
      'bbb:80',
      'bbb:90',
    ]);
  });

  it('sorts problems first by status, busiest first by rate', () => {
    const rows = toRows(syntheticForwards(16));
    const byStatus = sortRows(rows, { field: 'status', descending: false }).map((r) => r.forward.status);
    expect(byStatus.slice(0, 2)).toEqual(['Error', 'Error']);
    expect(byStatus.at(-1)).toBe('Active');
    const byRate = sortRows(rows, { field: 'rate', descending: false }).map(
      (r) => r.forward.rateIn + r.forward.rateOut,
    );
    expect([...byRate].sort((a, b) => b - a)).toEqual(byRate);
    expect(nextSortField('traffic')).toBe('hostname');
  });

  it('filters by any name, by ns:/status:/ctx:, all terms together, case-insensitively', () => {
    const f = syntheticForward(6); // svc-0006, search, Error
    const row = toRows([f])[0]!;
    expect(matchesFilter(row, 'SVC-0006')).toBe(true);
    expect(matchesFilter(row, 'search')).toBe(true);
    expect(matchesFilter(row, 'error')).toBe(true);
    expect(matchesFilter(row, f.podName.slice(-5))).toBe(true);
    expect(matchesFilter(row, 'ns:sea status:err')).toBe(true);
    expect(matchesFilter(row, 'ns:shop')).toBe(false);
    expect(matchesFilter(row, 'ctx:sim svc-0006')).toBe(true);
    expect(matchesFilter(row, 'ctx:prod')).toBe(false);
    expect(visibleRows(syntheticForwards(40), 'status:waiting', DEFAULT_SORT)).toHaveLength(5);
    expect(visibleRows(syntheticForwards(40), '   ', DEFAULT_SORT)).toHaveLength(40);
  });

  it('keeps the selection on its key, else at its position', () => {
    const rows = toRows(syntheticForwards(5));
    expect(resolveSelection(rows, rows[3]!.key, 0)).toBe(3);
    expect(resolveSelection(rows, 'gone', 2)).toBe(2);
    expect(resolveSelection(rows, 'gone', 9)).toBe(4);
    expect(resolveSelection([], 'x', 3)).toBe(0);
  });

  it('keeps the selected row inside the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 599 }),
        (total, page, offset, sel) => {
          const selected = total === 0 ? 0 : sel % total;
          const o = scrollOffset(selected, offset, page, total);
          expect(o).toBeGreaterThanOrEqual(0);
          if (total > page) {
            expect(o).toBeLessThanOrEqual(total - page);
            expect(selected).toBeGreaterThanOrEqual(o);
            expect(selected).toBeLessThan(o + page);
          } else expect(o).toBe(0);
        },
      ),
    );
    // Moving inside the window does not scroll.
    expect(scrollOffset(12, 10, 5, 100)).toBe(10);
    expect(scrollOffset(15, 10, 5, 100)).toBe(11);
    expect(scrollOffset(3, 10, 5, 100)).toBe(3);
  });

  it('knows when rows span namespaces', () => {
    expect(spansMany(toRows(syntheticForwards(1)), (f) => f.namespace)).toBe(false);
    expect(spansMany(toRows(syntheticForwards(2)), (f) => f.namespace)).toBe(true);
    expect(spansMany([], (f) => f.namespace)).toBe(false);
  });
});
