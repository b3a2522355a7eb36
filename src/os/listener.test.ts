import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createListeners, type LocalListener } from './listener.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('listeners', () => {
  it('binds the exact address and ends open connections on close', async () => {
    const l: LocalListener = await createListeners().listen('127.10.99.1', 0, (s) => s.pipe(s));
    closers.push(() => l.close());
    expect(l.address).toBe('127.10.99.1');
    expect(l.port).toBeGreaterThan(0);
    const sock = connect(l.port, '127.10.99.1');
    const echoed = await new Promise<string>((resolve) => {
      sock.once('data', (d) => resolve(d.toString()));
      sock.write('hi');
    });
    expect(echoed).toBe('hi');
    const ended = new Promise((r) => sock.once('close', r));
    await l.close();
    await ended;
  });

  it('reports a taken port as PORT_IN_USE naming ip:port', async () => {
    const other: Server = createServer();
    await new Promise<void>((r) => other.listen(0, '127.10.99.2', r));
    closers.push(() => new Promise((r) => other.close(() => r())));
    const port = (other.address() as { port: number }).port;
    await expect(createListeners().listen('127.10.99.2', port, () => undefined)).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: `127.10.99.2:${port} is already in use by another program`,
    });
  });
});
