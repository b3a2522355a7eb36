// Our client and kubectl, side by side on the same simulated cluster and pod: the sim's SPDY server
// (built on src/wire/spdy) must serve kubectl — proving our framing and header compression against
// kubectl's — and our client must serve the same cluster, over the tunnel and over plain SPDY.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPortForwarder, type PortForwarder } from '../../src/kube/portforward/index.js';
import {
  connectLocal,
  localForward,
  pattern,
  readN,
  startHarness,
  type Harness,
  type LocalForward,
} from './support.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000 }).status === 0;
if (!hasKubectl) console.warn('kubectl not found on PATH: skipping the kubectl cross-check of the transport');

const kubectlForward = (
  kubeconfig: string,
  pod: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'port-forward', '-n', 'shop', `pod/${pod}`, `:${port}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl port-forward did not start: ${out}`));
    }, 60_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl exited with ${String(code)}: ${out}`));
    });
  });

const echo = async (port: number, data: Buffer): Promise<boolean> => {
  const s = await connectLocal(port);
  const r = readN(s, data.length);
  s.write(data);
  const got = await r;
  s.destroy();
  return got.equals(data);
};

describe.skipIf(!hasKubectl)('our client and kubectl on the same cluster', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  const forwarders: PortForwarder[] = [];
  const locals: LocalForward[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
    for (const pf of forwarders.splice(0)) pf.close();
    for (const l of locals.splice(0)) await l.close();
    h.sim.control.setProtocols({ tunnel: true, spdy: true, websocket: true });
  });
  afterAll(async () => {
    await h.sim.stop();
  });

  /** kubectl port-forward and our client (auto) to the same postgres pod, each on a local port. */
  const sideBySide = async (): Promise<{
    kubectl: { port: number };
    ours: LocalForward;
    pf: PortForwarder;
  }> => {
    const pod = h.pod('postgres');
    const kubectl = await kubectlForward(h.sim.kubeconfigPath, pod, 5432);
    children.push(kubectl.child);
    const pf = createPortForwarder(h.conn, { transport: 'auto' });
    forwarders.push(pf);
    const session = pf.openSession({ namespace: 'shop', name: pod });
    const ours = await localForward(() => session.openStream(5432));
    locals.push(ours);
    return { kubectl, ours, pf };
  };

  for (const mode of ['tunnel', 'spdy'] as const) {
    it(`both carry byte-exact echo at the same time (${mode})`, async () => {
      if (mode === 'spdy') h.sim.control.setProtocols({ tunnel: false });
      const before = h.sim.control.counters().upgrades;
      const { kubectl, ours, pf } = await sideBySide();

      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          echo(i % 2 === 0 ? kubectl.port : ours.port, pattern(256 * 1024 + i, i)),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(pf.negotiated()).toBe(mode);
      const after = h.sim.control.counters().upgrades;
      // kubectl and we each hold one multiplexed connection of that protocol.
      expect(after[mode] - before[mode]).toBe(2);
    });
  }

  // kubectl is the reference for what a role lets through: the API server authorizes SPDY's POST as
  // "create pods/portforward" and a WebSocket GET as "get" (+ "create" since 1.35, the sim's default).
  it('with only "create" (the classic role), kubectl and we both fall back from the refused WebSocket GET to SPDY', async () => {
    h.sim.control.denyPermission({ verb: 'get', resource: 'pods/portforward', namespace: 'shop' });
    try {
      const before = h.sim.control.counters().upgrades;
      const { kubectl, ours, pf } = await sideBySide();
      expect(await echo(kubectl.port, pattern(64 * 1024, 1))).toBe(true);
      expect(await echo(ours.port, pattern(64 * 1024, 2))).toBe(true);
      expect(pf.negotiated()).toBe('spdy');
      expect(h.sim.control.counters().upgrades.spdy - before.spdy).toBe(2);
    } finally {
      h.sim.control.allowAll();
    }
  });
});

describe.skipIf(!hasKubectl)(
  'kubectl on Kubernetes 1.31–1.34 RBAC (a WebSocket GET needs only "get")',
  () => {
    it('with only "get", kubectl and we port-forward over the WebSocket tunnel', async () => {
      const h = await startHarness({ websocketNeedsCreate: false });
      const pf = createPortForwarder(h.conn, { transport: 'auto' });
      let kubectl: { child: ChildProcess; port: number } | undefined;
      let ours: LocalForward | undefined;
      try {
        h.sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'shop' });
        const pod = h.pod('postgres');
        kubectl = await kubectlForward(h.sim.kubeconfigPath, pod, 5432);
        const session = pf.openSession({ namespace: 'shop', name: pod });
        ours = await localForward(() => session.openStream(5432));
        expect(await echo(kubectl.port, pattern(64 * 1024, 3))).toBe(true);
        expect(await echo(ours.port, pattern(64 * 1024, 4))).toBe(true);
        expect(pf.negotiated()).toBe('tunnel');
        expect(h.sim.control.counters().upgrades.tunnel).toBe(2);
      } finally {
        if (kubectl) {
          const exited = new Promise((r) => kubectl!.child.once('exit', r));
          kubectl.child.kill('SIGTERM');
          await exited;
        }
        pf.close();
        await ours?.close();
        await h.sim.stop();
      }
    });
  },
);
