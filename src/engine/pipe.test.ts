import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pipeConnection } from './pipe.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A real local TCP connection: the server side (what the forward holds) and the client. */
const localPair = async (): Promise<{ server: Socket; client: Socket }> => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  cleanups.push(() => srv.close());
  const client = connect((srv.address() as { port: number }).port, '127.0.0.1');
  const [server] = (await once(srv, 'connection')) as [Socket];
  cleanups.push(() => {
    client.destroy();
    server.destroy();
  });
  return { server, client };
};

const tap = () => {
  const closed: (string | undefined)[] = [];
  return {
    closed,
    tap: { toPod: () => undefined, fromPod: () => undefined, closed: (f?: string) => closed.push(f) },
  };
};

describe('pipeConnection', () => {
  it('a client that resets its connection is not a failure of the forward', async () => {
    const { server, client } = await localPair();
    const stream = new PassThrough();
    const t = tap();
    const { done } = pipeConnection(server, stream, t.tap);
    client.resetAndDestroy();
    expect(await done).toBeUndefined();
    expect(t.closed).toEqual([undefined]);
  });

  it('a pod stream that fails is one, with its reason', async () => {
    const { server } = await localPair();
    const stream = new PassThrough();
    const t = tap();
    const { done } = pipeConnection(server, stream, t.tap);
    stream.destroy(new Error('connection refused'));
    expect(await done).toBe('connection refused');
  });
});
