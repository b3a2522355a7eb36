import { randomInt } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createListeners, type LocalListener } from './listener.js';

/** A loopback address of its own for a test (src/ may not import test/support). */
const randomIp = (): string => `127.${randomInt(10, 200)}.${randomInt(0, 250)}.1`;

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

const serve = async (host: string, port = 0): Promise<number> => {
  const server: Server = createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, resolve);
  });
  closers.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
};

/** A port free on every address now. */
const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '0.0.0.0', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
};

/** The first line the server at host:port says on connecting ('' when it says nothing or closes). */
const hello = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const sock = connect(port, host);
    let text = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (text += d));
    sock.on('error', () => resolve(''));
    sock.on('close', () => resolve(text.split('\n')[0] ?? ''));
    setTimeout(() => sock.destroy(), 300);
  });

describe('takenOnAllAddresses', () => {
  it('is true for a port another program listens on at 0.0.0.0, false for one held on one address or free', async () => {
    const l = createListeners();
    const everywhere = await serve('0.0.0.0');
    const oneAddress = await serve(randomIp());
    expect(await l.takenOnAllAddresses(everywhere)).toBe(true);
    expect(await l.takenOnAllAddresses(oneAddress)).toBe(false);
    expect(await l.takenOnAllAddresses(await freePort())).toBe(false);
  });
});

describe('address claims', () => {
  it('a forward on the claim port gets it; the address stays claimed, and the marker comes back when it closes', async () => {
    const claimPort = await freePort();
    const ip = randomIp();
    const mine = createListeners({ claimPort });
    const other = createListeners({ claimPort });
    const claim = await mine.claim(ip);
    expect(claim.held).toBe(true);
    closers.push(() => (claim.held ? claim.release() : Promise.resolve()));
    const forward = await mine.listen(ip, claimPort, (s) => s.end('forward\n'));
    expect(await hello(ip, claimPort)).toBe('forward');
    // The marker answers on the spare port meanwhile, and another kubefwd asks there.
    expect(await hello(ip, claimPort + 1)).toBe(`kubefwd pid=${process.pid}`);
    expect(await other.claim(ip)).toEqual({ held: false, holder: `kubefwd (pid ${process.pid})` });
    await forward.close();
    expect(await hello(ip, claimPort)).toBe(`kubefwd pid=${process.pid}`);
    expect(await hello(ip, claimPort + 1)).toBe('');
    expect(await other.claim(ip)).toEqual({ held: false, holder: `kubefwd (pid ${process.pid})` });
    if (claim.held) await claim.release();
    const free = await other.claim(ip);
    expect(free.held).toBe(true);
    if (free.held) await free.release();
  });
});
