// The one managed block kubefwd owns in the hosts file (ARCHITECTURE decision 4):
//
//   # kubefwd begin <id>
//   127.1.27.1 api-gateway api-gateway.shop ...
//   # kubefwd end <id>
//
// Everything outside the block is preserved byte for byte: line endings (CRLF/LF), a BOM, a
// missing final newline. When the file does not end with a newline, the block brings its own
// leading newline and no trailing one, so removing it gives back exactly the original bytes.
// Foreign lines are never edited, even when they name one of our hostnames (the block comes last,
// and resolvers use the first match, so a foreign duplicate wins — `shadowedNames` finds them and the
// writer warns instead of touching them); only -p (purgeStaleLines) removes foreign lines, and only those in kubefwd's address range.
import { inKubefwdRange, parseIPv4 } from '../domain/ipv4.js';

export interface HostsEntry {
  ip: string;
  hostnames: string[];
}

export interface BlockOptions {
  /** Split an IP's names over several lines (Windows reads at most 9 per line). */
  maxHostsPerLine?: number;
}

const BEGIN = /^# kubefwd begin (\S+)[ \t]*$/;
const END = /^# kubefwd end (\S+)[ \t]*$/;

/** Marker-safe instance id: no whitespace. */
export const sanitiseBlockId = (id: string): string => id.replace(/\s+/g, '-') || 'kubefwd';

/** Lines with their terminators; concatenating them gives the content back. */
export const splitLines = (content: string): string[] => (content === '' ? [] : content.split(/(?<=\n)/));

const body = (line: string): string => line.replace(/\r?\n$/, '').replace(/^\uFEFF/, '');

export const detectEol = (content: string): string => (content.includes('\r\n') ? '\r\n' : '\n');

interface BlockSpan {
  id: string;
  /** Index of the begin line. */
  start: number;
  /** Index of the end line. */
  end: number;
}

export const findBlocks = (lines: readonly string[]): BlockSpan[] => {
  const out: BlockSpan[] = [];
  // Each end pairs with the LAST begin of its id before it, so a stray unterminated begin line
  // (left by someone's hand edit) never swallows the foreign lines between it and a real block.
  const open = new Map<string, number>();
  for (let j = 0; j < lines.length; j++) {
    const line = body(lines[j] ?? '');
    const b = BEGIN.exec(line);
    if (b) {
      open.set(b[1] ?? '', j);
      continue;
    }
    const e = END.exec(line);
    const start = e ? open.get(e[1] ?? '') : undefined;
    if (e && start !== undefined) {
      out.push({ id: e[1] ?? '', start, end: j });
      // Begins before this end can no longer close without overlapping it.
      open.clear();
    }
  }
  return out;
};

/** Removes one span, undoing the leading newline it brought when it sat at the end without one. */
const cut = (lines: string[], span: BlockSpan): void => {
  const endLine = lines[span.end] ?? '';
  const unterminated = !endLine.endsWith('\n');
  // The newline the block brought is the one its own lines use; strip exactly that, so a foreign
  // line ending in a lone CR keeps it.
  const eol = (lines[span.start] ?? '').endsWith('\r\n') ? '\r\n' : '\n';
  lines.splice(span.start, span.end - span.start + 1);
  if (unterminated && span.start > 0 && span.start === lines.length) {
    const prev = lines[span.start - 1] ?? '';
    if (prev.endsWith(eol)) lines[span.start - 1] = prev.slice(0, -eol.length);
  }
};

/** Removes every block whose id passes `which` (default: every kubefwd block, any instance). */
export const removeBlocks = (content: string, which: (id: string) => boolean = () => true): string => {
  const lines = splitLines(content);
  const spans = findBlocks(lines).filter((s) => which(s.id));
  for (const span of spans.reverse()) cut(lines, span);
  return lines.join('');
};

/** The block's lines (markers included), without terminators. */
export const renderBlockLines = (
  id: string,
  entries: readonly HostsEntry[],
  options: BlockOptions = {},
): string[] => {
  const max = options.maxHostsPerLine ?? Infinity;
  const seen = new Set<string>();
  const out = [`# kubefwd begin ${id}`];
  for (const entry of entries) {
    const names = entry.hostnames.filter((h) => {
      if (h === '' || seen.has(h)) return false;
      seen.add(h);
      return true;
    });
    for (let i = 0; i < names.length; i += max === Infinity ? names.length : max)
      out.push(`${entry.ip} ${names.slice(i, i + (max === Infinity ? names.length : max)).join(' ')}`);
  }
  out.push(`# kubefwd end ${id}`);
  return out;
};

/** Writes (or replaces in place) the block of `id`; an empty entry list removes it. */
export const upsertBlock = (
  content: string,
  id: string,
  entries: readonly HostsEntry[],
  options: BlockOptions = {},
): string => {
  const blockId = sanitiseBlockId(id);
  if (entries.length === 0) return removeBlocks(content, (b) => b === blockId);
  const eol = detectEol(content);
  const rendered = renderBlockLines(blockId, entries, options);
  const lines = splitLines(content);
  const span = findBlocks(lines).find((s) => s.id === blockId);
  if (span) {
    const terminated = (lines[span.end] ?? '').endsWith('\n');
    // Keep the newline the block already uses: re-detecting it from the whole content could pick
    // up a CRLF formed by a foreign lone CR and the block's own leading LF.
    const blockEol = (lines[span.start] ?? '').endsWith('\r\n') ? '\r\n' : '\n';
    const replacement = rendered.map((l, i) => (i < rendered.length - 1 || terminated ? l + blockEol : l));
    lines.splice(span.start, span.end - span.start + 1, ...replacement);
    return lines.join('');
  }
  if (content === '' || content.endsWith('\n')) return content + rendered.map((l) => l + eol).join('');
  return content + eol + rendered.join(eol);
};

/** The entries inside the block of `id` (empty when there is none). */
export const readBlock = (content: string, id: string): HostsEntry[] => {
  const lines = splitLines(content);
  const span = findBlocks(lines).find((s) => s.id === sanitiseBlockId(id));
  if (!span) return [];
  const out: HostsEntry[] = [];
  for (const line of lines.slice(span.start + 1, span.end)) {
    const [ip, ...hostnames] = body(line).trim().split(/\s+/);
    if (!ip || hostnames.length === 0) continue;
    const prior = out.find((e) => e.ip === ip);
    if (prior) prior.hostnames.push(...hostnames);
    else out.push({ ip, hostnames });
  }
  return out;
};

const staleHostnames = (line: string): number => {
  const text = body(line).replace(/#.*$/, '').trim();
  const [ip, ...names] = text.split(/\s+/);
  if (!ip || !parseIPv4(ip) || !inKubefwdRange(ip)) return 0;
  return names.length;
};

const outsideBlocks = (lines: readonly string[]): boolean[] => {
  const inside = lines.map(() => false);
  for (const s of findBlocks(lines)) for (let i = s.start; i <= s.end; i++) inside[i] = true;
  return inside.map((v) => !v);
};

/** Hostnames on foreign lines in kubefwd's range (kubefwd's HOUSEKEEPING count). */
export const countStaleHostnames = (content: string): number => {
  const lines = splitLines(content);
  const outside = outsideBlocks(lines);
  return lines.reduce((n, line, i) => n + (outside[i] ? staleHostnames(line) : 0), 0);
};

/** -p: drops foreign lines whose address is in kubefwd's range; returns how many hostnames went. */
export const purgeStaleLines = (content: string): { content: string; purged: number } => {
  const lines = splitLines(content);
  const outside = outsideBlocks(lines);
  let purged = 0;
  const kept: string[] = [];
  lines.forEach((line, i) => {
    const n = outside[i] ? staleHostnames(line) : 0;
    if (n > 0) purged += n;
    else kept.push(line);
  });
  if (purged > 0 && kept.length > 0 && !content.endsWith('\n')) {
    // The last line went and it had no terminator: the new last line keeps the file's shape.
    const last = kept.length - 1;
    if (!lines[lines.length - 1]?.endsWith('\n') && staleHostnames(lines[lines.length - 1] ?? '') > 0)
      kept[last] = (kept[last] ?? '').replace(/\r?\n$/, '');
  }
  return { content: kept.join(''), purged };
};

/** One of our names that a line outside our block maps to another address (that line wins). */
export interface ShadowedName {
  name: string;
  /** Where the earlier line sends it. */
  foreignIp: string;
  /** Where our block sends it. */
  ip: string;
}

/**
 * Our names that a line outside the block of `id` also names with another address. kubefwd (Go)
 * removed such names from the other lines; we never edit foreign lines, so the earlier line wins and
 * the name does not reach the forward — the caller says so. Names compare case-insensitively, as
 * resolvers do; the first foreign line naming a name is the one reported (the one that wins).
 */
export const shadowedNames = (
  content: string,
  id: string,
  entries: readonly HostsEntry[],
): ShadowedName[] => {
  const lines = splitLines(content);
  const own = findBlocks(lines).find((s) => s.id === sanitiseBlockId(id));
  const foreign = new Map<string, string>();
  lines.forEach((line, i) => {
    if (own && i >= own.start && i <= own.end) return;
    const [ip, ...names] = body(line).replace(/#.*$/, '').trim().split(/\s+/);
    if (!ip || names.length === 0) return;
    for (const n of names) if (!foreign.has(n.toLowerCase())) foreign.set(n.toLowerCase(), ip);
  });
  const out: ShadowedName[] = [];
  // As renderBlockLines writes them: a name is in the block once, on its first entry.
  const seen = new Set<string>();
  for (const entry of entries)
    for (const name of entry.hostnames) {
      if (seen.has(name)) continue;
      seen.add(name);
      const foreignIp = foreign.get(name.toLowerCase());
      if (foreignIp !== undefined && foreignIp !== entry.ip) out.push({ name, foreignIp, ip: entry.ip });
    }
  return out;
};
