// The helper's core over a temporary hosts file: what a session may do, what it undoes when it ends,
// and a fuzz of every field of every request — each refused with a typed error, the hosts file
// byte-for-byte unchanged.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELPER_PROTOCOL_VERSION } from '../contract/helper-protocol.js';
import type { Loopback } from '../os/loopback.js';
import { createHelperCore, type HelperCore } from './core.js';
import { parseRequest } from './requests.js';

const ORIGINAL =
  '127.0.0.1 localhost\r\n# kubefwd begin my-notes\r\n10.0.0.1 hand-written\r\n# kubefwd end my-notes\r\n' +
  '# kubefwd begin pid-999999-1\n127.9.9.9 other\n# kubefwd end pid-999999-1\n::1 ip6-localhost';

let dir: string;
let hostsPath: string;
let aliases: string[];
const fakeLoopback = (): Loopback => ({
  ensure: (ip) => (aliases.push(ip), Promise.resolve()),
  release: (ip) => (aliases.splice(aliases.indexOf(ip), 1), Promise.resolve()),
  held: () => [...aliases],
});
const makeCore = (alive: (pid: number) => boolean = () => true): HelperCore =>
  createHelperCore({ hostsPath, loopback: fakeLoopback(), alive });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-helper-core-'));
  hostsPath = join(dir, 'hosts');
  await writeFile(hostsPath, ORIGINAL);
  aliases = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const OWNER = `pid-${process.pid}-7`;
const req = (body: object): ReturnType<typeof parseRequest> =>
  parseRequest({ v: HELPER_PROTOCOL_VERSION, id: 1, ...body });

describe('helper core', () => {
  it('writes only its own block, and a session end removes it with its aliases and listeners', async () => {
    const core = makeCore();
    const s = core.openSession(process.pid);
    await core.handle(
      s,
      req({
        op: 'replaceBlock',
        owner: OWNER,
        entries: [{ ip: '127.1.27.1', hostnames: ['api', 'api.shop'] }],
      }),
    );
    await core.handle(s, req({ op: 'addAlias', ip: '127.1.27.1' }));
    const out = await core.handle(s, req({ op: 'listen', ip: '127.0.0.1', port: 0 }));
    expect(out.server?.listening).toBe(true);
    const text = await readFile(hostsPath, 'utf8');
    expect(text.startsWith(ORIGINAL)).toBe(true);
    expect(text).toContain(`# kubefwd begin ${OWNER}\r\n127.1.27.1 api api.shop\r\n# kubefwd end ${OWNER}`);
    expect(aliases).toEqual(['127.1.27.1']);
    await core.closeSession(s);
    expect(await readFile(hostsPath, 'utf8')).toBe(ORIGINAL);
    expect(aliases).toEqual([]);
    expect(out.server?.listening).toBe(false);
  });

  it('removes a block whose kubefwd is gone, never a hand-written one', async () => {
    const core = makeCore((pid) => pid !== 999999);
    const s = core.openSession();
    await core.handle(
      s,
      req({ op: 'replaceBlock', owner: OWNER, entries: [{ ip: '127.1.27.1', hostnames: ['a'] }] }),
    );
    const text = await readFile(hostsPath, 'utf8');
    expect(text).not.toContain('pid-999999-1');
    expect(text).toContain('# kubefwd begin my-notes');
  });

  it('an engine (IPC) may own only the block of its own pid; no two sessions share a block', async () => {
    const core = makeCore();
    const a = core.openSession(12345);
    await expect(core.claimOwner(a, OWNER)).rejects.toMatchObject({ code: 'HELPER_REFUSED', field: 'owner' });
    const b = core.openSession();
    await core.claimOwner(b, OWNER);
    const c = core.openSession();
    await expect(core.claimOwner(c, OWNER)).rejects.toMatchObject({ code: 'HELPER_REFUSED' });
    await expect(core.claimOwner(c, 'pid-999999-1')).rejects.toMatchObject({ code: 'HELPER_REFUSED' });
  });

  it('fuzz: every bad field of every request is refused with a typed error and the file is unchanged', async () => {
    const core = makeCore();
    const s = core.openSession();
    await core.claimOwner(s, OWNER);
    const before = await readFile(hostsPath);
    const badIp = fc.oneof(
      fc.constantFrom(
        '::1',
        '0.0.0.0',
        '10.0.0.1',
        '127.0.0.1 evil',
        '127.0.0.1\n# x',
        '/etc/hosts',
        '127.1',
        '255.255.255.255',
        '',
      ),
      fc.ipV4().filter((ip) => !ip.startsWith('127.')),
      fc.ipV6(),
      fc.string(),
    );
    const badName = fc.oneof(
      fc
        .tuple(
          fc.stringMatching(/^[a-z]{1,8}$/),
          fc.constantFrom('\n', '#', ' ', '\t', '\r', '\0', '/', '..'),
          fc.string({ maxLength: 8 }),
        )
        .map(([a, b, c]) => `${a}${b}${c}`),
      fc.constantFrom('', '-', 'a'.repeat(300)),
    );
    const badOwner = fc.oneof(
      fc.constantFrom(
        'my-notes',
        'pid-999999-1',
        '/etc/hosts',
        '../../etc/passwd',
        'pid-1\n',
        'kubefwd',
        `pid-${process.pid}-8`,
      ),
      fc.string(),
    );
    const good = { ip: '127.1.27.1', hostnames: ['ok'] };
    const bad = fc.oneof(
      badIp.map((ip) => ({ op: 'replaceBlock', owner: OWNER, entries: [{ ...good, ip }] })),
      badName.map((n) => ({
        op: 'replaceBlock',
        owner: OWNER,
        entries: [{ ...good, hostnames: ['ok', n] }],
      })),
      badOwner.map((owner) => ({ op: 'replaceBlock', owner, entries: [good] })),
      badOwner.map((owner) => ({ op: 'removeBlock', owner })),
      badIp.map((ip) => ({ op: 'addAlias', ip })),
      badIp.map((ip) => ({ op: 'removeAlias', ip })),
      badIp.map((ip) => ({ op: 'listen', ip, port: 8080 })),
      fc
        .oneof(fc.integer({ min: 65536 }), fc.integer({ max: -1 }), fc.double({ noInteger: true }))
        .map((port) => ({ op: 'listen', ip: '127.0.0.1', port })),
      fc
        .constantFrom('path', 'file', 'command', 'hostsPath')
        .map((k) => ({ op: 'replaceBlock', owner: OWNER, entries: [good], [k]: '/etc/shadow' })),
      fc.constant({ op: 'removeAlias', ip: '127.1.27.200' }),
      fc.constant({ op: 'unlisten', listener: 4242 }),
      fc.constantFrom('exec', 'readFile', 'purge', '').map((op) => ({ op })),
    );
    await fc.assert(
      fc.asyncProperty(bad, async (body) => {
        let error: unknown;
        try {
          await core.handle(s, req(body));
        } catch (err) {
          error = err;
        }
        expect(error).toMatchObject({ code: 'HELPER_REFUSED' });
        expect((await readFile(hostsPath)).equals(before)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('10k entries and a wrong protocol version are refused', async () => {
    const core = makeCore();
    const s = core.openSession();
    const before = await readFile(hostsPath);
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      ip: `127.2.${i >> 8}.${i & 255}`,
      hostnames: [`s${i}`],
    }));
    await expect(
      (async () => core.handle(s, req({ op: 'replaceBlock', owner: OWNER, entries })))(),
    ).rejects.toMatchObject({ code: 'HELPER_REFUSED', field: 'entries' });
    expect(() => parseRequest({ v: 2, id: 1, op: 'removeBlock', owner: OWNER })).toThrow(/v/);
    expect((await readFile(hostsPath)).equals(before)).toBe(true);
  });
});
