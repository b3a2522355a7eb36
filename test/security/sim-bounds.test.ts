// Issue 22 item 7: every size the simulated cluster accepts is bounded. `GET /?size=1073741824` to a
// simulated http pod used to crash the whole `kubefwd sim` process (RangeError: Invalid string
// length); now a large body is streamed, a size beyond the limit is a 400 naming it, and the pod
// keeps answering.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_POD_LIMITS, startBackend, type RunningBackend } from '../../src/sim/workload/backends.js';

let backend: RunningBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

const get = (port: number, path: string, body?: Buffer): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });

const pod = async (): Promise<number> => {
  backend = await startBackend(
    'http',
    { namespace: 'ns', pod: 'p-0', container: 'c', log: () => undefined },
    [80],
  );
  return backend.target(80)!.port;
};

describe('the simulated http pod bounds what a request may ask for', () => {
  it('?size= beyond the limit is a 400 naming it, and the pod still answers afterwards', async () => {
    const port = await pod();
    for (const size of [String(HTTP_POD_LIMITS.size + 1), '99999999999999999999', '-1', '1e9', 'abc']) {
      const r = await get(port, `/?size=${size}`);
      expect(r.status, size).toBe(400);
      expect(r.text).toContain(`size must be an integer from 0 to ${HTTP_POD_LIMITS.size}`);
    }
    const big = 80 * 1024 * 1024; // above the size that is built in memory: streamed
    const ok = await get(port, `/?size=${big}`);
    expect(ok.status).toBe(200);
    expect(ok.text.length).toBe(big);
    expect((await get(port, '/?size=10')).text).toHaveLength(10);
  });

  it('?delay= and ?status= out of range are 400s naming their limits', async () => {
    const port = await pod();
    expect(await get(port, '/?delay=99999999999')).toMatchObject({
      status: 400,
      text: expect.stringContaining(`delay must be an integer from 0 to ${HTTP_POD_LIMITS.delay}`),
    });
    expect(await get(port, '/?status=1000')).toMatchObject({
      status: 400,
      text: expect.stringContaining('status must be an integer from 100 to 599'),
    });
    expect((await get(port, '/?status=418')).status).toBe(418);
  });

  it('a request body over the limit is a 413, not held in memory', async () => {
    const port = await pod();
    const r = await get(port, '/', Buffer.alloc(HTTP_POD_LIMITS.requestBytes + 1, 'x'));
    expect(r.status).toBe(413);
    expect((await get(port, '/')).status).toBe(200);
  });
});
