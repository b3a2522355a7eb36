// Verified traffic for reliability runs: every byte sent through a forward is checked on the way
// back. A connection may be cut by a fault (then it must close with an error, promptly); it may
// never hang and never deliver wrong bytes. "Hung" means silent for longer than the engine's own
// bound for holding a connection while it waits for a pod (connectWaitMs, 30 s).
import { connect } from 'node:net';
import { request } from 'node:http';

/** Longer than the engine's 30 s connect wait, so a held connection is not mistaken for a hang. */
export const HANG_MS = 35_000;

export type Outcome =
  | { kind: 'ok'; bytes: number; ms: number }
  | { kind: 'closed'; reason: string }
  | { kind: 'mismatch'; at: number }
  | { kind: 'hung' };

/** A small deterministic PRNG (mulberry32), so a failing seed replays the same run. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const payload = (size: number, seed: number): Buffer => {
  const rnd = prng(seed);
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (rnd() * 256) | 0;
  return b;
};

/** Sends `size` bytes to an echo forward and checks they come back identical. */
export const echoRoundTrip = (
  ip: string,
  port: number,
  size: number,
  seed: number,
  hangMs = 15_000,
): Promise<Outcome> =>
  new Promise((resolve) => {
    const data = payload(size, seed);
    const t0 = Date.now();
    let got = 0;
    let settled = false;
    const finish = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'hung' }), hangMs);
    const sock = connect({ host: ip, port });
    sock.on('data', (chunk: Buffer) => {
      if (!chunk.equals(data.subarray(got, got + chunk.length))) {
        let i = 0;
        while (i < chunk.length && chunk[i] === data[got + i]) i++;
        finish({ kind: 'mismatch', at: got + i });
        return;
      }
      got += chunk.length;
      if (got === size) finish({ kind: 'ok', bytes: size * 2, ms: Date.now() - t0 });
    });
    sock.on('error', (err) => finish({ kind: 'closed', reason: err.message }));
    sock.on('close', () => finish({ kind: 'closed', reason: `closed after ${got}/${size} bytes` }));
    sock.write(data);
  });

/** One HTTP GET through a forward; ok when the pod answered 200. */
export const httpRoundTrip = (ip: string, port: number, host: string, hangMs = HANG_MS): Promise<Outcome> =>
  new Promise((resolve) => {
    const t0 = Date.now();
    let settled = false;
    const finish = (o: Outcome): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(o);
      }
    };
    const req = request({ host: ip, port, path: '/soak', headers: { host }, agent: false }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length));
      res.on('end', () =>
        finish(
          res.statusCode === 200
            ? { kind: 'ok', bytes: n, ms: Date.now() - t0 }
            : { kind: 'closed', reason: `HTTP ${res.statusCode}` },
        ),
      );
      res.on('error', (err) => finish({ kind: 'closed', reason: err.message }));
    });
    const timer = setTimeout(() => {
      finish({ kind: 'hung' });
      req.destroy();
    }, hangMs);
    req.on('error', (err) => finish({ kind: 'closed', reason: err.message }));
    req.end();
  });
