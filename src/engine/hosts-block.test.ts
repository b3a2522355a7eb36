import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countStaleHostnames,
  purgeStaleLines,
  readBlock,
  removeBlocks,
  renderBlockLines,
  shadowedNames,
  upsertBlock,
  type HostsEntry,
} from './hosts-block.js';

const entries: HostsEntry[] = [
  { ip: '127.1.27.1', hostnames: ['api', 'api.shop'] },
  { ip: '127.1.27.2', hostnames: ['db', 'api'] },
];

/** Hosts-file-like text without our markers: any lines, LF or CRLF, maybe a BOM, maybe no final newline. */
const foreignContent = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.stringMatching(/^[ -~\t]{0,30}$/).filter((l) => !l.includes('# kubefwd')),
      { maxLength: 8 },
    ),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(
    ([bom, lines, eol, final]) =>
      (bom ? '\uFEFF' : '') + lines.join(eol) + (final && lines.length > 0 ? eol : ''),
  );

const entryArb = fc.array(
  fc.record({
    ip: fc.constantFrom('127.1.27.1', '127.1.27.2', '127.2.27.1', '127.1.28.7'),
    hostnames: fc.array(fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 5 },
);

describe('hosts block', () => {
  it('appends one block with markers and de-duplicated names', () => {
    const out = upsertBlock('127.0.0.1 localhost\n', 'abc', entries);
    expect(out).toBe(
      '127.0.0.1 localhost\n# kubefwd begin abc\n127.1.27.1 api api.shop\n127.1.27.2 db\n# kubefwd end abc\n',
    );
    expect(readBlock(out, 'abc')).toEqual([
      { ip: '127.1.27.1', hostnames: ['api', 'api.shop'] },
      { ip: '127.1.27.2', hostnames: ['db'] },
    ]);
  });

  it('keeps CRLF and a missing final newline exactly', () => {
    const original = '127.0.0.1 localhost\r\n10.0.0.1 nas';
    const out = upsertBlock(original, 'x', entries);
    expect(out).toBe(
      `${original}\r\n# kubefwd begin x\r\n127.1.27.1 api api.shop\r\n127.1.27.2 db\r\n# kubefwd end x`,
    );
    expect(removeBlocks(out)).toBe(original);
  });

  it('replaces the block in place, leaving lines added after it alone', () => {
    const first = upsertBlock('a\n', 'x', entries) + 'added later\n';
    const second = upsertBlock(first, 'x', [{ ip: '127.1.27.3', hostnames: ['z'] }]);
    expect(second).toBe('a\n# kubefwd begin x\n127.1.27.3 z\n# kubefwd end x\nadded later\n');
    expect(upsertBlock(second, 'x', [])).toBe('a\nadded later\n');
  });

  it('removes stale blocks of any instance, or only the chosen ones', () => {
    const two = upsertBlock(upsertBlock('h\n', 'one', entries), 'two', entries);
    expect(removeBlocks(two)).toBe('h\n');
    expect(
      readBlock(
        removeBlocks(two, (id) => id === 'one'),
        'two',
      ),
    ).toHaveLength(2);
  });

  it('leaves an unterminated begin marker alone', () => {
    const odd = 'a\n# kubefwd begin x\n127.1.27.1 q\n';
    expect(removeBlocks(odd)).toBe(odd);
  });

  it('splits long lines when asked (Windows reads 9 names per line)', () => {
    const names = Array.from({ length: 12 }, (_, i) => `h${i}`);
    const lines = renderBlockLines('x', [{ ip: '127.1.27.1', hostnames: names }], { maxHostsPerLine: 9 });
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('127.1.27.1 h9 h10 h11');
  });

  it('counts and purges foreign lines in kubefwd’s range only', () => {
    const content =
      '127.0.0.1 localhost\n127.1.27.5 old old.ns # c\n127.1.26.9 keep\n10.1.27.1 keep2\n127.3.0.1 gone';
    const withBlock = upsertBlock(content, 'x', entries);
    expect(countStaleHostnames(withBlock)).toBe(3);
    const purged = purgeStaleLines(content);
    expect(purged).toEqual({ content: '127.0.0.1 localhost\n127.1.26.9 keep\n10.1.27.1 keep2', purged: 3 });
    expect(readBlock(purgeStaleLines(withBlock).content, 'x')).toHaveLength(2);
  });

  it('finds our names that an earlier foreign line sends elsewhere', () => {
    const content = upsertBlock(
      '127.0.0.1 localhost\n10.9.9.9 DB nas # db at home\n127.1.27.1 api\n# 10.0.0.1 api.shop\n',
      'x',
      entries,
    );
    // db → 10.9.9.9 wins over our 127.1.27.2; api on a line with our own address is harmless;
    // a commented-out name and the names inside our block do not count.
    expect(shadowedNames(content, 'x', entries)).toEqual([
      { name: 'db', foreignIp: '10.9.9.9', ip: '127.1.27.2' },
    ]);
    // Before our block exists (the first write) the same answer.
    expect(shadowedNames('10.9.9.9 db\n', 'x', entries)).toEqual([
      { name: 'db', foreignIp: '10.9.9.9', ip: '127.1.27.2' },
    ]);
    // Another instance's block counts: it comes first.
    expect(
      shadowedNames(upsertBlock('', 'other', [{ ip: '127.5.27.1', hostnames: ['api.shop'] }]), 'x', entries),
    ).toEqual([{ name: 'api.shop', foreignIp: '127.5.27.1', ip: '127.1.27.1' }]);
  });

  it('round-trips any foreign content byte for byte', () => {
    fc.assert(
      fc.property(foreignContent, entryArb, entryArb, (content, a, b) => {
        const once = upsertBlock(content, 'id', a);
        expect(removeBlocks(once)).toBe(content);
        const twice = upsertBlock(once, 'id', b);
        expect(removeBlocks(twice)).toBe(content);
        expect(upsertBlock(twice, 'id', b)).toBe(twice);
        expect(upsertBlock(once, 'id', [])).toBe(content);
        const names = readBlock(twice, 'id').flatMap((e) => e.hostnames);
        expect(new Set(names).size).toBe(names.length);
      }),
    );
  });
});
