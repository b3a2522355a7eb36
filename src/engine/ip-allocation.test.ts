import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIpAllocator, reservationCandidates, type AllocationRequest } from './ip-allocation.js';

const req = (name: string, c = 0, n = 0, extra: Partial<AllocationRequest> = {}): AllocationRequest => ({
  context: c === 0 ? 'sim' : `ctx${c}`,
  namespace: n === 0 ? 'shop' : `ns${n}`,
  name,
  clusterIndex: c,
  namespaceIndex: n,
  ...extra,
});

describe('createIpAllocator', () => {
  it('lays addresses out as 127.[1+ctx].[27+ns].[1+k]', () => {
    const a = createIpAllocator();
    expect(a.allocate(req('a')).ip).toBe('127.1.27.1');
    expect(a.allocate(req('b')).ip).toBe('127.1.27.2');
    expect(a.allocate(req('a', 0, 1)).ip).toBe('127.1.28.1');
    expect(a.allocate(req('a', 2, 3)).ip).toBe('127.3.30.1');
  });

  it('returns the same address for the same key (pod restarts do not matter)', () => {
    const a = createIpAllocator();
    const first = a.allocate(req('api')).ip;
    a.allocate(req('db'));
    expect(a.allocate(req('api')).ip).toBe(first);
    expect(a.lookup(req('api'))).toBe(first);
  });

  it('releases addresses, and gives a key back its old address when still free', () => {
    const a = createIpAllocator();
    a.allocate(req('a'));
    const b = a.allocate(req('b')).ip;
    a.release(req('b'));
    expect(a.lookup(req('b'))).toBeUndefined();
    expect(a.allocate(req('b')).ip).toBe(b);
    a.release(req('a'));
    expect(a.allocate(req('c')).ip).toBe('127.1.27.1');
  });

  it('never hands out the API address 127.2.27.1', () => {
    const a = createIpAllocator();
    expect(a.allocate(req('x', 1, 0)).ip).toBe('127.2.27.2');
  });

  it('gives reservations precedence and keeps reserved addresses from others', () => {
    const a = createIpAllocator({
      reservations: [
        { name: 'db.shop', ip: '127.1.27.1' },
        { name: 'api', ip: '127.1.40.5' },
      ],
    });
    expect(a.allocate(req('other')).ip).toBe('127.1.27.2');
    expect(a.allocate(req('db'))).toEqual({ ip: '127.1.27.1', reservation: 'db.shop' });
    expect(a.allocate(req('api')).ip).toBe('127.1.40.5');
  });

  it('falls back with a warning when a reserved address is already held', () => {
    const a = createIpAllocator({
      reservations: [
        { name: 'db.sim', ip: '127.1.27.9' },
        { name: 'db.shop.ctx1', ip: '127.1.27.9' },
      ],
    });
    a.allocate(req('db'));
    const second = a.allocate(req('db', 1, 0, { context: 'ctx1' }));
    expect(second.ip).toBe('127.2.27.2');
    expect(second.warning).toMatch(/already used/);
  });

  it('fails with IP_EXHAUSTED past 255 addresses in a block', () => {
    const a = createIpAllocator({ baseIP: '127.1.27.250' });
    for (let i = 0; i < 6; i++) a.allocate(req(`s${i}`));
    expect(() => a.allocate(req('s6'))).toThrow(expect.objectContaining({ code: 'IP_EXHAUSTED' }) as Error);
  });

  it('a forward that leaves an address for a taken port gives it back to the others, not to itself', () => {
    const a = createIpAllocator();
    a.allocate(req('a'));
    expect(a.allocate(req('b')).ip).toBe('127.1.27.2');
    expect(a.relocate(req('b'), 'port')).toBe('127.1.27.3');
    // Busy for b's port only: the next service takes it.
    expect(a.allocate(req('c')).ip).toBe('127.1.27.2');
    expect(a.relocate(req('b'), 'port')).toBe('127.1.27.4');
    a.release(req('a'));
    expect(a.relocate(req('b'), 'port')).toBe('127.1.27.1');
    // Removed and added again, b may try its old addresses again (the clash may be over).
    a.release(req('b'));
    a.release(req('c'));
    expect(a.allocate(req('b')).ip).toBe('127.1.27.1');
    expect(a.relocate(req('b'), 'port')).toBe('127.1.27.2');
  });

  it('an address another kubefwd holds is handed to no one again', () => {
    const a = createIpAllocator();
    a.allocate(req('a'));
    expect(a.relocate(req('a'), 'address')).toBe('127.1.27.2');
    expect(a.allocate(req('b')).ip).toBe('127.1.27.3');
    a.release(req('a'));
    expect(a.allocate(req('c')).ip).toBe('127.1.27.2');
    expect(a.allocate(req('d')).ip).toBe('127.1.27.4');
  });

  it('with no other address free a move fails with IP_EXHAUSTED and the forward keeps its own', () => {
    const a = createIpAllocator({ baseIP: '127.1.27.254' });
    a.allocate(req('a'));
    a.allocate(req('b'));
    expect(() => a.relocate(req('b'), 'port')).toThrow(
      expect.objectContaining({ code: 'IP_EXHAUSTED' }) as Error,
    );
    expect(a.lookup(req('b'))).toBe('127.1.27.255');
    a.release(req('a'));
    expect(a.relocate(req('b'), 'port')).toBe('127.1.27.254');
  });

  it('rejects a non-loopback base', () => {
    expect(() => createIpAllocator({ baseIP: '10.0.0.1' })).toThrow(/not in the range 127/);
  });

  it('is deterministic and collision-free for any sequence of requests', () => {
    const op = fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      c: fc.nat(1),
      n: fc.nat(2),
      release: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const run = () => {
          const a = createIpAllocator();
          const out: string[] = [];
          for (const o of ops) {
            const r = req(o.name, o.c, o.n);
            if (o.release) a.release(r);
            else out.push(a.allocate(r).ip);
          }
          const held = [...a.allocated().values()];
          expect(new Set(held).size).toBe(held.length);
          expect(held).not.toContain('127.2.27.1');
          return out;
        };
        expect(run()).toEqual(run());
      }),
    );
  });
});

describe('createIpAllocator against a model that always scans its block from the start', () => {
  // The allocator starts a block's scan where its last one found a free address (release lowers
  // it); handing out the same addresses as a scan from k = 0 is the whole point.
  const model = () => {
    const byKey = new Map<string, string>();
    const byIP = new Map<string, string>();
    const remembered = new Map<string, string>();
    const avoided = new Set<string>();
    const leftBy = new Map<string, Set<string>>();
    const free = (ip: string) => !byIP.has(ip) && ip !== '127.2.27.1' && !avoided.has(ip);
    const take = (key: string, ip: string) => (
      byKey.set(key, ip),
      byIP.set(ip, key),
      remembered.set(key, ip),
      ip
    );
    const keyOf = (r: AllocationRequest) => `${r.context}/${r.namespace}/${r.name}`;
    const lowest = (r: AllocationRequest, usable: (ip: string) => boolean): string => {
      for (let k = 0; ; k++) {
        const ip = `127.${1 + r.clusterIndex}.${27 + r.namespaceIndex}.${1 + k}`;
        if (usable(ip)) return ip;
      }
    };
    return {
      allocate(r: AllocationRequest): string {
        const key = keyOf(r);
        const held = byKey.get(key);
        if (held !== undefined) return held;
        const prior = remembered.get(key);
        if (prior !== undefined && free(prior)) return take(key, prior);
        return take(key, lowest(r, free));
      },
      release(r: AllocationRequest): void {
        const key = keyOf(r);
        leftBy.delete(key);
        const ip = byKey.get(key);
        if (ip === undefined) return;
        byKey.delete(key);
        byIP.delete(ip);
      },
      relocate(r: AllocationRequest, taken: 'address' | 'port'): string {
        const key = keyOf(r);
        const from = byKey.get(key);
        const left = leftBy.get(key) ?? new Set<string>();
        const to = lowest(r, (ip) => free(ip) && !left.has(ip) && ip !== from);
        if (from !== undefined) {
          byKey.delete(key);
          byIP.delete(from);
          if (taken === 'address') avoided.add(from);
          else leftBy.set(key, left.add(from));
        }
        return take(key, to);
      },
    };
  };

  it('hands out the same addresses for any sequence of allocations, releases and moves', () => {
    const op = fc.record({
      kind: fc.constantFrom('allocate', 'allocate', 'release', 'address', 'port'),
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
      c: fc.nat(1),
      n: fc.nat(1),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const a = createIpAllocator();
        const m = model();
        for (const o of ops) {
          const r = req(o.name, o.c, o.n);
          if (o.kind === 'allocate') expect(a.allocate(r).ip).toBe(m.allocate(r));
          else if (o.kind === 'release') {
            a.release(r);
            m.release(r);
          } else expect(a.relocate(r, o.kind)).toBe(m.relocate(r, o.kind));
        }
        const held = [...a.allocated().values()];
        expect(new Set(held).size).toBe(held.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reservationCandidates', () => {
  it('lists kubefwd’s names for the first namespace of the first context', () => {
    const c = reservationCandidates(req('db'));
    expect(c).toEqual([
      'db',
      'db.svc',
      'db.sim',
      'db.shop',
      'db.shop.svc',
      'db.shop.svc.cluster.local',
      'db.shop.sim',
      'db.shop.svc.sim',
      'db.shop.svc.cluster.sim',
    ]);
  });

  it('uses only context-qualified names for later contexts and includes pod forms for headless pods', () => {
    expect(reservationCandidates(req('db', 1, 1))).toEqual([
      'db.ns1.ctx1',
      'db.ns1.svc.ctx1',
      'db.ns1.svc.cluster.ctx1',
    ]);
    const pods = reservationCandidates(req('db-0.db', 0, 0, { podName: 'db-0' }));
    expect(pods).toContain('db-0');
    expect(pods).toContain('db-0.db-0.db');
    expect(pods).toContain('db-0.db.shop');
  });
});
