// 'auto' negotiation against a cluster with protocols switched off, as older API servers and
// WebSocket-only gateways refuse them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPortForwarder, type PortForwarder } from '../../src/kube/portforward/index.js';
import type { KubefwdError } from '../../src/contract/errors.js';
import type { KubeLogger } from '../../src/kube/types.js';
import {
  connectLocal,
  localForward,
  readN,
  startHarness,
  type Harness,
  type LocalForward,
} from './support.js';

/** "ping" through a new local forward of `pf` to the pod's port (kept in `locals` to close later). */
const echoVia = async (
  pf: PortForwarder,
  locals: LocalForward[],
  pod: { namespace: string; name: string },
  port: number,
): Promise<string> => {
  const session = pf.openSession(pod);
  const local = await localForward(() => session.openStream(port));
  locals.push(local);
  const s = await connectLocal(local.port);
  const r = readN(s, 4);
  s.write('ping');
  const got = (await r).toString();
  s.destroy();
  return got;
};

describe('auto transport negotiation', () => {
  let h: Harness;
  const forwarders: PortForwarder[] = [];
  const locals: LocalForward[] = [];
  const infos: string[] = [];
  const infoFields: unknown[] = [];
  const logger: KubeLogger = {
    debug: () => undefined,
    info: (m, fields) => {
      infos.push(m);
      infoFields.push(fields);
    },
    warn: () => undefined,
    error: () => undefined,
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sim.control.setProtocols({ tunnel: true, spdy: true, websocket: true });
    h.sim.control.throttleUpgrades(0, 0);
    for (const pf of forwarders.splice(0)) pf.close();
    for (const l of locals.splice(0)) await l.close();
    infos.length = 0;
    infoFields.length = 0;
  });
  afterAll(async () => {
    await h.sim.stop();
  });

  const echoThrough = (pf: PortForwarder): Promise<string> =>
    echoVia(pf, locals, { namespace: 'shop', name: h.pod('postgres') }, 5432);

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
    // Its fields are the line's subject: JSON logs carry them, text lines (which name both) do not.
    expect(infoFields[infos.findIndex((m) => m.includes('port-forward transport'))]).toEqual({
      subject: { context: 'sim', transport: 'tunnel', mode: 'auto' },
    });
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

  it('a busy API server (429) is no reason to settle on another protocol: the error says so, the next session gets the tunnel', async () => {
    // kubectl falls back to SPDY on any refused WebSocket upgrade, 429 too; one kubectl run does
    // not live long, but a kubefwd would keep the worse protocol for all its forwards.
    h.sim.control.throttleUpgrades(1, 2);
    const before = { ...h.sim.control.counters().upgrades };
    const pf = auto();
    const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
    const err = (await session.ready().catch((e: unknown) => e)) as KubefwdError;
    expect(err).toMatchObject({ code: 'API_BUSY', retryAfterMs: 2000 });
    expect(err.message).toMatch(/too busy .*429 Too Many Requests/);
    // Turned away once, and no other protocol tried.
    const now = h.sim.control.counters().upgrades;
    expect([now.refused - before.refused, now.spdy - before.spdy, now.websocket - before.websocket]).toEqual([
      1, 0, 0,
    ]);
    expect(pf.negotiated()).toBeUndefined();
    expect(await echoThrough(pf)).toBe('ping');
    expect(pf.negotiated()).toBe('tunnel');
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

  // The API server authorizes an upgrade by its method: SPDY's POST as "create pods/portforward",
  // a WebSocket GET as "get" (and, since 1.35 — the sim's default — "create" too).
  describe('and RBAC', () => {
    afterEach(() => h.sim.control.allowAll());
    const deny = (verb: 'get' | 'create', namespace = 'shop'): void =>
      h.sim.control.denyPermission({ verb, resource: 'pods/portforward', namespace });

    it('a role with only "create" (the classic port-forward role): the refused WebSocket GET falls back to SPDY, as kubectl does', async () => {
      deny('get');
      const pf = auto();
      expect(await echoThrough(pf)).toBe('ping');
      expect(pf.negotiated()).toBe('spdy');
    });

    it('roles differ by namespace: a pod where the remembered protocol is refused gets one its role allows', async () => {
      const pf = auto();
      const [reports] = await h.sim.control.waitForPodsReady('analytics', { app: 'reports' });
      const httpThrough = async (): Promise<string> => {
        const session = pf.openSession({ namespace: 'analytics', name: reports!.metadata.name });
        const local = await localForward(() => session.openStream(8080));
        locals.push(local);
        const s = await connectLocal(local.port);
        const r = readN(s, 12);
        s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        const got = (await r).toString().slice(0, 12);
        s.destroy();
        return got;
      };
      expect(await httpThrough()).toBe('HTTP/1.1 200');
      expect(pf.negotiated()).toBe('tunnel');
      deny('get');
      expect(await echoThrough(pf)).toBe('ping');
      expect(await httpThrough()).toBe('HTTP/1.1 200');
    });

    it('a role with neither verb: PERMISSION_DENIED naming the permission, not a protocol error', async () => {
      deny('get');
      deny('create');
      const pf = auto();
      const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
      await expect(session.openStream(5432)).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        hint: expect.stringContaining('"create pods/portforward"') as unknown,
      });
    });

    it('--transport tunnel with only "create": PERMISSION_DENIED that names auto as the way out', async () => {
      deny('get');
      const pf = createPortForwarder(h.conn, { transport: 'tunnel', logger });
      forwarders.push(pf);
      const session = pf.openSession({ namespace: 'shop', name: h.pod('postgres') });
      await expect(session.openStream(5432)).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        hint: expect.stringMatching(/leave --transport out: auto falls back to SPDY/) as unknown,
      });
    });
  });
});

describe('auto transport negotiation on Kubernetes 1.31–1.34 (a WebSocket GET needs only "get")', () => {
  it('a role with only "get" port-forwards over the tunnel, also after another namespace settled on SPDY', async () => {
    const h = await startHarness({ websocketNeedsCreate: false });
    const pf = createPortForwarder(h.conn, { transport: 'auto' });
    const locals: LocalForward[] = [];
    const echo = (namespace: string, name: string, port: number): Promise<string> =>
      echoVia(pf, locals, { namespace, name }, port);
    try {
      // analytics: only "create" (SPDY); shop: only "get" (WebSocket).
      h.sim.control.denyPermission({ verb: 'get', resource: 'pods/portforward', namespace: 'analytics' });
      h.sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'shop' });
      const [events] = await h.sim.control.waitForPodsReady('analytics', { app: 'events' });
      expect(await echo('analytics', events!.metadata.name, 9000)).toBe('ping');
      expect(pf.negotiated()).toBe('spdy');
      expect(await echo('shop', h.pod('postgres'), 5432)).toBe('ping');
      expect(pf.negotiated()).toBe('tunnel');
    } finally {
      pf.close();
      for (const l of locals) await l.close();
      await h.sim.stop();
    }
  });
});
