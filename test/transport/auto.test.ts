// 'auto' negotiation against a cluster with protocols switched off, as older API servers and
// WebSocket-only gateways refuse them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPortForwarder, type PortForwarder } from '../../src/kube/portforward/index.js';
import type { KubeLogger } from '../../src/kube/types.js';
import {
  connectLocal,
  localForward,
  readN,
  startHarness,
  type Harness,
  type LocalForward,
} from './support.js';

describe('auto transport negotiation', () => {
  let h: Harness;
  const forwarders: PortForwarder[] = [];
  const locals: LocalForward[] = [];
  const infos: string[] = [];
  const logger: KubeLogger = {
    debug: () => undefined,
    info: (m) => void infos.push(m),
    warn: () => undefined,
    error: () => undefined,
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sim.control.setProtocols({ tunnel: true, spdy: true, websocket: true });
    for (const pf of forwarders.splice(0)) pf.close();
    for (const l of locals.splice(0)) await l.close();
    infos.length = 0;
  });
  afterAll(async () => {
    await h.sim.stop();
  });

  const echoThrough = async (pf: PortForwarder): Promise<string> => {
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    const local = await localForward(() => session.openStream(5432));
    locals.push(local);
    const s = await connectLocal(local.port);
    const r = readN(s, 4);
    s.write('ping');
    const got = (await r).toString();
    s.destroy();
    return got;
  };

  const auto = (): PortForwarder => {
    const pf = createPortForwarder(h.conn, { transport: 'auto', logger });
    forwarders.push(pf);
    return pf;
  };

  it('picks the tunnel when the cluster offers it, and logs the choice once', async () => {
    const pf = auto();
    expect(pf.negotiated()).toBeUndefined();
    expect(await echoThrough(pf)).toBe('ping');
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('tunnel');
    expect(infos.filter((m) => m.includes('port-forward transport'))).toHaveLength(1);
  });

  it('falls back to SPDY when the tunnel is refused, and remembers it', async () => {
    h.sim.control.setProtocols({ tunnel: false });
    const pf = auto();
    const refusedBefore = h.sim.control.counters().upgrades.refused;
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('spdy');
    expect(await echoThrough(pf)).toBe('ping');
    // Only the first session paid for the refused attempt.
    expect(h.sim.control.counters().upgrades.refused - refusedBefore).toBe(1);
  });

  it('falls back to WebSocket v4 when tunnel and SPDY are refused', async () => {
    h.sim.control.setProtocols({ tunnel: false, spdy: false });
    const pf = auto();
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('websocket');
  });

  it('does not fall back on a failure every protocol shares (missing pod)', async () => {
    const pf = auto();
    const session = pf.openSession({ namespace: 'shop', name: 'no-such-pod' });
    await expect(session.ready()).rejects.toMatchObject({ code: 'POD_NOT_FOUND' });
    expect(pf.negotiated()).toBeUndefined();
    expect((await session.closed)?.code).toBe('POD_NOT_FOUND');
  });

  it('reports bad credentials as AUTH_FAILED without trying other protocols', async () => {
    const pf = createPortForwarder(
      { ...h.conn, authHeaders: async () => ({ Authorization: 'Bearer wrong' }) },
      { transport: 'auto' },
    );
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    await expect(session.openStream(5432)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('renegotiates when the remembered protocol is switched off later', async () => {
    const pf = auto();
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('tunnel');
    h.sim.control.setProtocols({ tunnel: false });
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('spdy');
  });

  it('a protocol forced with --transport that the server refuses: an error naming --transport and auto', async () => {
    h.sim.control.setProtocols({ spdy: false });
    const pf = createPortForwarder(h.conn, { transport: 'spdy', logger });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    await expect(session.openStream(5432)).rejects.toMatchObject({
      code: 'STREAM_ERROR',
      message: expect.stringMatching(/^port-forward transport spdy \(--transport\) is refused by context/),
      hint: expect.stringMatching(/Leave --transport out/),
    });
  });
});
