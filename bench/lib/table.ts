// Plain-text tables for the bench report (fixed-width columns, right-aligned numbers).

export type Cell = string | number | undefined;

const show = (c: Cell): string =>
  c === undefined || (typeof c === 'number' && !Number.isFinite(c))
    ? '-'
    : typeof c === 'number'
      ? String(c)
      : c;

export function renderTable(
  title: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  const cells = [header.map(String), ...rows.map((r) => r.map(show))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return i === 0 ? c.padEnd(w) : c.padStart(w);
      })
      .join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [title, line(cells[0] ?? []), sep, ...cells.slice(1).map(line)].join('\n');
}
