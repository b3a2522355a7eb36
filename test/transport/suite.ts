// The acceptance suite of issue 3, run once per wire protocol (tunnel.test.ts, spdy.test.ts,
// websocket.test.ts) against the simulated cluster over real sockets.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubefwdError } from '../../src/contract/errors.js';
import { createPortForwarder, type PortForwarder } from '../../src/kube/portforward/index.js';
import {
  activeHandles,
  connectLocal,
  freezableRelay,
  httpGet,
  localForward,
  pattern,
  readAll,
  readN,
  settleHandles,
  sockets,
  startHarness,
  type Harness,
  type Kubelet,
  type LocalForward,
  type Transport,
} from './support.js';
import { spdystreamUnavailable } from '../../bench/lib/spdystream-server.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** `p`, or a rejection naming `what` after `ms` (a stall shows as a clear failure, not a test timeout). */
const withDeadline = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (stalled)`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
};

/** FIN grace of the kubelet-like servers in these tests (containerd: 1 s; shorter keeps them quick). */
export const FIN_GRACE_MS = 200;

export function defineTransportSuite(transport: Transport, kubelet: Kubelet = 'sim'): void {
  const multiplexed = transport !== 'websocket';
  const unavailable = kubelet === 'spdystream' ? spdystreamUnavailable() : undefined;
  if (unavailable !== undefined) {
    describe.skip(`port-forward over ${transport} to moby/spdystream — skipped: ${unavailable}`, () => {
      it('needs Go and moby/spdystream', () => {});
    });
    return;
  }
  const where = kubelet === 'spdystream' ? ' to moby/spdystream' : '';

  describe(`port-forward over ${transport}${where}`, () => {
    let h: Harness;
    const forwarders: PortForwarder[] = [];
    const locals: LocalForward[] = [];
    const forwarder = (
      o: { pingIntervalMs?: number; pingTimeoutMs?: number; halfCloseLingerMs?: number } = {},
    ): PortForwarder => {
      const pf = createPortForwarder(h.conn, { transport, ...o });
      forwarders.push(pf);
      return pf;
    };
    const forwardTo = async (pf: PortForwarder, podPrefix: string, port: number) => {
      const session = pf.openSession({ namespace: 'shop', name: h.pod(podPrefix) });
      const local = await localForward(() => session.openStream(port));
      locals.push(local);
      return { session, local };
    };

    beforeAll(async () => {
      h = await startHarness({ finGraceMs: FIN_GRACE_MS }, kubelet, ['-fin-grace', `${FIN_GRACE_MS}ms`]);
    });
    afterEach(async () => {
      h.sim.control.setLatency(0);
      for (const pf of forwarders.splice(0)) pf.close();
      for (const l of locals.splice(0)) await l.close();
    });
    afterAll(async () => {
      await h.sim.stop();
    });

    it('carries an HTTP request', async () => {
      const pf = forwarder();
      const { session, local } = await forwardTo(pf, 'api-gateway', 8080);
      const res = await httpGet(local.port, '/hello?status=201');
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ namespace: 'shop' });
      expect(session.transport).toBe(transport);
      expect(pf.negotiated()).toBe(transport);
    });

    it('moves 64 MiB byte-exact in both directions', async () => {
      const { local } = await forwardTo(forwarder(), 'postgres', 5432);
      const size = 64 * 1024 * 1024;
      const data = pattern(size, 1);
      const s = await connectLocal(local.port);
      // Read exactly what was sent: behind a kubelet our FIN does not reach the pod, and the
      // answer is cut FIN_GRACE_MS after it (containerd), however much is still in flight.
      const reading = readN(s, size);
      s.write(data);
      const got = await reading;
      s.destroy();
      expect(got.length).toBe(size);
      expect(sha(got)).toBe(sha(data));
    });

    it('carries 200 concurrent connections, each byte-exact', async () => {
      const before = h.sim.control.counters().upgrades[transport];
      const { local } = await forwardTo(forwarder(), 'postgres', 5432);
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const data = pattern(8 * 1024 + i, i + 7);
          const s = await connectLocal(local.port);
          const reading = readN(s, data.length);
          s.write(data);
          const got = await reading;
          s.destroy();
          return got.equals(data);
        }),
      );
      expect(results.every(Boolean)).toBe(true);
      const upgrades = h.sim.control.counters().upgrades[transport] - before;
      // One upgraded connection carries them all, unless the protocol cannot multiplex.
      if (multiplexed) expect(upgrades).toBe(1);
      else expect(upgrades).toBe(200);
    });

    it('half-closes: the answer still arrives after the local side ends', async () => {
      const { local } = await forwardTo(forwarder({ halfCloseLingerMs: 300 }), 'postgres', 5432);
      const s = await connectLocal(local.port);
      if (multiplexed) {
        // Our FIN reaches the pod; the echo pod answers and then ends its side too.
        const reading = readAll(s);
        s.end('half-closed request');
        expect((await reading).toString()).toBe('half-closed request');
      } else {
        // v4 has no half-close on the wire: the answer is read after our end, and once the pod has
        // been quiet for the linger time the connection ends (before: it stayed open for good, so
        // `nc -N`, dump tools and the like hung).
        const reading = readAll(s);
        s.end('half-closed request');
        expect((await reading).toString()).toBe('half-closed request');
      }
    });

    // Tests that do not apply to a transport are not registered (not skipped): a run against
    // spdystream shows no skips (issue 21).
    if (!multiplexed)
      it('v4: a half-closed connection ends after the pod is quiet; a warning says so', async () => {
        const warnings: string[] = [];
        const pf = createPortForwarder(h.conn, {
          transport,
          halfCloseLingerMs: 300,
          logger: {
            debug: () => undefined,
            info: () => undefined,
            warn: (m: string) => void warnings.push(m),
            error: () => undefined,
          },
        });
        forwarders.push(pf);
        const { local } = await forwardTo(pf, 'postgres', 5432);
        const s = await connectLocal(local.port);
        const started = Date.now();
        const reading = readAll(s);
        s.write('first ');
        await new Promise((r) => setTimeout(r, 100));
        s.end('second');
        expect((await reading).toString()).toBe('first second');
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
        expect(warnings.join('\n')).toMatch(/WebSocket v4 cannot pass a half-close/);
      });

    it('reports a refused pod port with the kubelet message while other connections continue', async () => {
      const pf = forwarder();
      const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
      const good = await localForward(() => session.openStream(5432));
      const bad = await localForward(() => session.openStream(5433));
      locals.push(good, bad);
      const g = await connectLocal(good.port);
      g.write('before');
      expect((await readN(g, 6)).toString()).toBe('before');

      const b = await connectLocal(bad.port);
      const closed = readAll(b).catch(() => Buffer.alloc(0));
      await closed;
      const failure = await bad.bridges[0]!.handle.done;
      expect(failure).toBeInstanceOf(KubefwdError);
      expect(failure?.code).toBe('CONNECTION_REFUSED');
      expect(failure?.message).toMatch(/5433/);
      expect(failure?.message).toMatch(/refused/i);

      g.write('after');
      expect((await readN(g, 5)).toString()).toBe('after');
      g.destroy();
    });

    it('the cluster cutting all streams closes every local connection with a reason, leaking nothing', async () => {
      const before = activeHandles();
      const pf = forwarder();
      const { session, local } = await forwardTo(pf, 'postgres', 5432);
      const conns = await Promise.all(Array.from({ length: 5 }, () => connectLocal(local.port)));
      await Promise.all(
        conns.map(async (c, i) => {
          const r = readN(c, 4);
          c.write(`c${i}..`.slice(0, 4));
          await r;
        }),
      );
      const ends = conns.map((c) => readAll(c).catch(() => Buffer.alloc(0)));
      expect(h.sim.control.cutStreams()).toBeGreaterThan(0);
      await Promise.all(ends);
      const failures = await Promise.all(local.bridges.map((b) => b.handle.done));
      expect(failures).toHaveLength(5);
      for (const f of failures) {
        expect(f).toBeInstanceOf(KubefwdError);
        expect(f?.message.length).toBeGreaterThan(0);
      }
      if (multiplexed) {
        const reason = await session.closed;
        expect(reason).toBeInstanceOf(KubefwdError);
      }
      pf.close();
      await local.close();
      locals.splice(locals.indexOf(local), 1);
      const after = await settleHandles(before);
      expect(sockets(after)).toBeLessThanOrEqual(sockets(before));
      expect(after.Timeout ?? 0).toBeLessThanOrEqual((before.Timeout ?? 0) + 1);
    });

    it('close() of the forwarder ends every connection and leaves no socket or timer behind', async () => {
      const before = activeHandles();
      const pf = createPortForwarder(h.conn, { transport, pingIntervalMs: 1_000 });
      const { local } = await forwardTo(pf, 'postgres', 5432);
      const conns = await Promise.all(Array.from({ length: 3 }, () => connectLocal(local.port)));
      await Promise.all(
        conns.map(async (c) => {
          const r = readN(c, 2);
          c.write('hi');
          await r;
        }),
      );
      const ends = conns.map((c) => readAll(c).catch(() => Buffer.alloc(0)));
      pf.close();
      await Promise.all(ends);
      await Promise.all(local.bridges.map((b) => b.handle.done));
      await local.close();
      locals.splice(locals.indexOf(local), 1);
      const after = await settleHandles(before);
      expect(sockets(after)).toBeLessThanOrEqual(sockets(before));
      expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
    });

    it('applies backpressure: a local reader that stops does not make buffers grow', async () => {
      const { local } = await forwardTo(forwarder(), 'api-gateway', 8080);
      const size = 48 * 1024 * 1024;
      const s = await connectLocal(local.port);
      s.pause();
      s.write(`GET /big?size=${size} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      // Let the pod push as much as it can while nobody reads.
      await new Promise((r) => setTimeout(r, 400));
      const { remote } = local.bridges[0]!;
      // What our process holds for this connection: the stream's read buffer and the pending
      // writes towards the local socket are both bounded (the pod is paused, not buffered).
      const buffered = remote.readableLength + remote.writableLength;
      expect(buffered).toBeLessThan(4 * 1024 * 1024);
      s.resume();
      const got = await readAll(s);
      expect(got.length).toBeGreaterThan(size);
    });

    if (multiplexed) {
      it('detects a dead connection by keep-alive timeout', async () => {
        // A relay that stops passing bytes, as a dead NAT or VPN would: pings go unanswered.
        const relay = await freezableRelay(h.sim.apiUrl);
        try {
          const pf = createPortForwarder(
            { ...h.conn, server: relay.url },
            { transport, pingIntervalMs: 50, pingTimeoutMs: 200 },
          );
          forwarders.push(pf);
          const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
          const stream = await session.openStream(5432);
          const streamError = new Promise<unknown>((r) => stream.once('error', r));
          relay.freeze();
          const reason = await session.closed;
          expect(reason?.code).toBe('TIMEOUT');
          expect(((await streamError) as KubefwdError).code).toBe('TIMEOUT');
        } finally {
          await relay.close();
        }
      });

      it('a refused port never delays another connection: 100 more on the same session are all answered', async () => {
        const pf = forwarder();
        const session = pf.openSession({ namespace: 'shop', name: h.pod('api-gateway') });
        const good = await localForward(() => session.openStream(8080));
        const bad = await localForward(() => session.openStream(8081));
        locals.push(good, bad);
        // Warm the good port up (it is then known good: its new pairs send their first bytes at once).
        expect((await httpGet(good.port, '/')).status).toBe(200);
        // Requests sent at once to a port nobody listens on: the kubelet never reads those bytes.
        for (let i = 0; i < 3; i++) {
          const b = await connectLocal(bad.port);
          const closed = readAll(b).catch(() => Buffer.alloc(0));
          b.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
          await closed;
          expect((await bad.bridges[i]!.handle.done)?.code).toBe('CONNECTION_REFUSED');
        }
        const answered = await withDeadline(
          Promise.all(
            Array.from({ length: 100 }, async (_, i) => (await httpGet(good.port, `/n${i}`)).status),
          ),
          15_000,
          'GETs after a refused port',
        );
        expect(answered).toHaveLength(100);
        expect(answered.filter((st) => st !== 200)).toEqual([]);
      });

      it('a stream we reset while the pod still sends is dropped quietly; the session carries on', async () => {
        const pf = forwarder();
        const { session, local } = await forwardTo(pf, 'api-gateway', 8080);
        const s = await connectLocal(local.port);
        s.write(`GET /big?size=${32 * 1024 * 1024} HTTP/1.1\r\nHost: x\r\n\r\n`);
        await readN(s, 1024 * 1024);
        s.destroy(); // RST_STREAM; the pod side keeps sending for the FIN grace
        for (let i = 0; i < 5; i++) expect((await httpGet(local.port, '/after-reset')).status).toBe(200);
        await new Promise((r) => setTimeout(r, FIN_GRACE_MS + 100));
        expect((await httpGet(local.port, '/after-grace')).status).toBe(200);
        let ended = false;
        void session.closed.then(() => (ended = true));
        await new Promise((r) => setImmediate(r));
        expect(ended).toBe(false);
      });

      it('late FINs: a pod that closes, and a client FIN the pod never sees, both end cleanly', async () => {
        const { local } = await forwardTo(forwarder(), 'postgres', 5432);
        // Our FIN: the echo answers; the end comes when the kubelet gives up waiting for the pod.
        const s = await connectLocal(local.port);
        const reading = readAll(s);
        s.end('ping');
        expect((await reading).toString()).toBe('ping');
        expect(await local.bridges[0]!.handle.done).toBeUndefined();
        // The pod's close (Connection: close): the answer is complete and ends cleanly.
        const { local: web } = await forwardTo(forwarder(), 'api-gateway', 8080);
        const res = await httpGet(web.port, '/hello');
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ namespace: 'shop' });
        expect(await web.bridges[0]!.handle.done).toBeUndefined();
      });

      it('GOAWAY mid-transfer: the transfer completes byte-exact, the owner is told, a new session works', async () => {
        const pf = forwarder();
        const { session, local } = await forwardTo(pf, 'postgres', 5432);
        const size = 8 * 1024 * 1024;
        const data = pattern(size, 3);
        const s = await connectLocal(local.port);
        const first = readN(s, size / 2);
        s.write(data.subarray(0, size / 2));
        const got1 = await first;
        expect(await h.sim.control.goAway()).toBeGreaterThan(0);
        const second = readN(s, size / 2);
        s.write(data.subarray(size / 2));
        const got2 = await second;
        s.destroy();
        expect(sha(Buffer.concat([got1, got2]))).toBe(sha(data));
        const reason = await session.closed;
        expect(reason?.code).toBe('STREAM_ERROR');
        const again = await forwardTo(pf, 'postgres', 5432);
        const t = await connectLocal(again.local.port);
        const r = readN(t, 5);
        t.write('again');
        expect((await r).toString()).toBe('again');
        t.destroy();
      });

      it('carries DATA frame boundaries of every size exactly (spdystream sends at most 32 KiB a frame)', async () => {
        const { local } = await forwardTo(forwarder(), 'postgres', 5432);
        for (const size of [1, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 64 * 1024 + 7, 3 * 32 * 1024]) {
          const data = pattern(size, size);
          const s = await connectLocal(local.port);
          const r = readN(s, size);
          s.write(data);
          const got = await r;
          s.destroy();
          expect(got.length).toBe(size);
          expect(got.equals(data)).toBe(true);
        }
      });

      // Once per kubelet (over the plain upgrade; the tunnel's bytes take the same stream code).
      if (transport === 'spdy')
        it('1 GiB to a slow local reader: memory stays flat', { timeout: 600_000 }, async () => {
          const { local } = await forwardTo(forwarder(), 'api-gateway', 8080);
          const size = 1024 * 1024 * 1024;
          const s = await connectLocal(local.port);
          const rss0 = process.memoryUsage().rss;
          let peak = rss0;
          const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
          try {
            s.write(`GET /big?size=${size} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
            let got = 0;
            let sinceNap = 0;
            await new Promise<void>((resolve, reject) => {
              s.on('data', (c: Buffer) => {
                got += c.length;
                sinceNap += c.length;
                // Slower than the pod: a nap every 16 MiB.
                if (sinceNap >= 16 * 1024 * 1024) {
                  sinceNap = 0;
                  s.pause();
                  setTimeout(() => s.resume(), 40);
                }
              });
              s.once('end', resolve);
              s.once('close', resolve);
              s.once('error', reject);
            });
            expect(got).toBeGreaterThan(size);
          } finally {
            clearInterval(sampler);
            s.destroy();
          }
          // Generous: buffering the transfer would add a GiB; flat is a few tens of MiB.
          expect(peak - rss0).toBeLessThan(256 * 1024 * 1024);
        });

      it('shares one connection between ports and connections of a pod, and closes cleanly', async () => {
        const before = h.sim.control.counters().upgrades[transport];
        const pf = forwarder();
        const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
        const a = await localForward(() => session.openStream(5432));
        const b = await localForward(() => session.openStream(5432));
        locals.push(a, b);
        for (const l of [a, b]) {
          const s = await connectLocal(l.port);
          const r = readN(s, 3);
          s.write('abc');
          await r;
          s.destroy();
        }
        expect(h.sim.control.counters().upgrades[transport] - before).toBe(1);
        session.close();
        expect(await session.closed).toBeUndefined();
      });
    }
  });
}
