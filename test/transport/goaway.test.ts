// GOAWAY from the server (an API server shutting down): the session counts as gone for its owner,
// streams in flight finish, new ones are refused, and the connection closes once they are done.
// A tiny plain-HTTP upgrade server stands in for the API server (the sim has no GOAWAY control).
import http from 'node:http';
import type net from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { createPortForwarder } from '../../src/kube/portforward/index.js';
import { SpdySession } from '../../src/wire/spdy/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('GOAWAY: owner told, in-flight stream finishes, new streams refused, connection closed after', async () => {
  const sessions: SpdySession[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket) => {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
    );
    const s = new SpdySession(socket, { role: 'server' });
    sessions.push(s);
    s.on('stream', (stream, headers) => {
      stream.reply();
      if (headers.streamtype === 'error') stream.resume();
      else stream.pipe(stream);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  cleanups.push(() => sessions.forEach((s) => s.destroy()));
  const { port } = server.address() as net.AddressInfo;

  const pf = createPortForwarder(
    {
      contextName: 'fake',
      server: `http://127.0.0.1:${port}`,
      tlsOptions: async () => ({}),
      authHeaders: async () => ({}),
    },
    { transport: 'spdy' },
  );
  cleanups.push(() => pf.close());
  const session = pf.openSession({ namespace: 'ns', name: 'pod' });
  const a = await session.openStream(80);
  a.write('one');
  expect(((await once(a, 'data')) as [Buffer])[0].toString()).toBe('one');

  const serverSession = sessions[0]!;
  serverSession.goAway();

  const reason = await session.closed;
  expect(reason?.code).toBe('STREAM_ERROR');
  expect(reason?.message).toMatch(/GOAWAY/);
  await expect(session.openStream(80)).rejects.toMatchObject({ code: 'STREAM_ERROR' });

  // The owner lets go as the engine's pool does (draining): the stream in flight still works.
  session.close({ drain: true });
  a.write('two');
  expect(((await once(a, 'data')) as [Buffer])[0].toString()).toBe('two');
  const serverClosed = serverSession.closed;
  a.end();
  await once(a, 'close');
  // The last stream is done: our side closes the connection.
  expect(await serverClosed).toBeDefined();
});
