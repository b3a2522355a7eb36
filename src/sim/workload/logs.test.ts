import { describe, expect, it } from 'vitest';
import { ContainerLog, formatLine, rfc3339Nano, selectLines } from './logs.js';

const t = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const lines = [0, 10, 20, 30].map((s) => ({ time: t(s), text: `line ${s}` }));

describe('pod log selection', () => {
  it('applies sinceSeconds, sinceTime and tailLines', () => {
    expect(selectLines(lines, { tailLines: 2 }).map((l) => l.text)).toEqual(['line 20', 'line 30']);
    expect(selectLines(lines, { tailLines: 0 })).toEqual([]);
    expect(selectLines(lines, { sinceSeconds: 15, now: t(30) }).map((l) => l.text)).toEqual([
      'line 20',
      'line 30',
    ]);
    expect(selectLines(lines, { sinceTime: t(10), tailLines: 1 }).map((l) => l.text)).toEqual(['line 30']);
  });

  it('formats RFC3339Nano timestamps like the kubelet', () => {
    expect(rfc3339Nano(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('2026-01-02T03:04:05.678000000Z');
    expect(formatLine(lines[1]!, true)).toBe('2026-01-01T00:00:10.000000000Z line 10\n');
    expect(formatLine(lines[1]!, false)).toBe('line 10\n');
  });

  it('follows new lines and ends followers when the container stops', () => {
    const log = new ContainerLog();
    const seen: string[] = [];
    let ended = false;
    log.follow(
      (l) => seen.push(l.text),
      () => (ended = true),
    );
    log.append('a\nb');
    log.end();
    log.append('c');
    expect(seen).toEqual(['a', 'b']);
    expect(ended).toBe(true);
  });
});
