// One forward's trouble never touches another's (issue 14). Services that share pods — two services
// with one selector, a multi-port service, a headless service whose pods also serve `<pod>.<svc>` —
// hold connections open while a random operation hits one of them: a manual reconnect, a removal
// (then re-adding it), a forced sync, or a pod-side failure of one container port. Every connection
// the operation did not target must stay open and carry bytes exactly; and afterwards no forward
// sits in Error without a retry scheduled. Real kube adapter, real sockets, the simulated cluster,
// every port-forward transport.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import { createTrafficRecorder } from '../../src/engine/traffic/index.js';
import { createClusterProvider, type KubeClusterProvider } from '../../src/kube/index.js';
import { createHostsFile } from '../../src/os/hosts-file.js';
import { createListeners } from '../../src/os/listener.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { eventually, memoryLogger, noLoopback } from '../engine/fakes.js';
import { randomIpBase } from '../support/addresses.js';

const NS = 'iso';
const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata:
      labels: { app: db }
      annotations: { kubefwd.sim/backend: echo }
    spec:
      containers:
        - name: db
          image: postgres:16
          ports: [{ name: pg, containerPort: 5432 }]
        - name: side
          image: echo
          ports: [{ name: side, containerPort: 6000 }]
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: ${NS} }
spec:
  selector: { app: db }
  ports:
    - { name: pg, port: 5432, targetPort: 5432 }
    - { name: side, port: 6000, targetPort: 6000 }
---
apiVersion: v1
kind: Service
metadata: { name: db-ro, namespace: ${NS} }
spec:
  selector: { app: db }
  ports: [{ name: pg, port: 5432, targetPort: 5432 }]
---
apiVersion: v1
kind: Service
metadata: { name: db-side, namespace: ${NS} }
spec:
  selector: { app: db }
  ports: [{ name: side, port: 6000, targetPort: 6000 }]
---
apiVersion: v1
kind: Service
metadata: { name: q, namespace: ${NS} }
spec:
  clusterIP: None
  selector: { app: q }
  ports: [{ name: q, port: 9092, targetPort: 9092 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: q, namespace: ${NS} }
spec:
  serviceName: q
  replicas: 2
  selector: { matchLabels: { app: q } }
  template:
    metadata:
      labels: { app: q }
      annotations: { kubefwd.sim/backend: echo }
    spec:
      containers:
        - name: q
          image: apache/kafka:3.8.0
          ports: [{ name: q, containerPort: 9092 }]
`;
const SERVICES = ['db', 'db-ro', 'db-side', 'q'] as const;
type Svc = (typeof SERVICES)[number];

type Op =
  | { kind: 'reconnect'; svc: Svc }
  | { kind: 'remove'; svc: Svc }
  | { kind: 'sync'; svc: Svc }
  | { kind: 'reconnect-all' }
  | { kind: 'pod-port-fails' };

interface Conn {
  /** The forward's service name (`q-0.q` for a headless pod name). */
  target: string;
  /** Its service (what service-level operations name). */
  svc: Svc;
  podPort: number;
  socket: Socket;
  received: Buffer[];
  closed: boolean;
}

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-isolation-'));
let sim: SimCluster;

beforeAll(async () => {
  sim = await createSimCluster({ scenario: 'empty', manifests: [SCENARIO], readyDelayMs: 10, dir });
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const open = (ip: string, port: number, target: string, svc: Svc, podPort: number): Promise<Conn> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: ip, port });
    const conn: Conn = { target, svc, podPort, socket, received: [], closed: false };
    socket.on('data', (c: Buffer) => conn.received.push(c));
    socket.once('close', () => (conn.closed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(conn));
    socket.once('error', reject);
  });

/** Sends random bytes and waits for exactly them to come back (fails on a close or a mismatch). */
const echoes = async (conn: Conn, size: number): Promise<void> => {
  const payload = randomBytes(size);
  conn.received.length = 0;
  conn.socket.write(payload);
  await eventually(
    () => conn.closed || Buffer.concat(conn.received).length >= size,
    10_000,
    `echo on ${conn.target}:${conn.podPort}`,
  );
  if (conn.closed) throw new Error(`connection to ${conn.target}:${conn.podPort} was closed`);
  expect(Buffer.concat(conn.received).equals(payload)).toBe(true);
};

const targeted = (op: Op, c: Conn): boolean => {
  switch (op.kind) {
    case 'reconnect':
    case 'remove':
    case 'sync':
      return c.svc === op.svc;
    case 'reconnect-all':
      return true;
    case 'pod-port-fails':
      return c.podPort === 6000;
  }
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('reconnect' as const), svc: fc.constantFrom(...SERVICES) }),
  fc.record({ kind: fc.constant('remove' as const), svc: fc.constantFrom(...SERVICES) }),
  fc.record({ kind: fc.constant('sync' as const), svc: fc.constantFrom(...SERVICES) }),
  fc.constant({ kind: 'reconnect-all' as const }),
  fc.constant({ kind: 'pod-port-fails' as const }),
);

for (const transport of ['tunnel', 'spdy', 'websocket'] as const) {
  describe(`isolation of forwards over ${transport}`, () => {
    let provider: KubeClusterProvider;
    let engine: EngineRuntime;
    let traffic: ReturnType<typeof createTrafficRecorder>;
    const hostsPath = join(dir, `hosts-${transport}`);
    const key = (svc: string): string => `${svc}.${NS}.sim`;

    beforeAll(async () => {
      writeFileSync(hostsPath, '127.0.0.1 localhost\n');
      provider = createClusterProvider({
        kubeconfigPath: sim.kubeconfigPath,
        invokingUser: null,
        transport,
        backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
      });
      traffic = createTrafficRecorder();
      engine = createEngine({
        clusters: provider,
        hosts: createHostsFile({ path: hostsPath }),
        listener: createListeners(),
        loopback: noLoopback,
        traffic,
        logger: memoryLogger(),
        options: {
          ipBase: randomIpBase(),
          hostsBatchMs: 5,
          // Without -a: a forward must still never sit in Error with nothing scheduled.
          autoReconnect: false,
          backoff: { initialMs: 50, maxMs: 400 },
          hostsBlockId: `iso-${transport}`,
        },
      });
      await engine.addNamespace({ namespace: NS });
    }, 30_000);

    afterAll(async () => {
      await engine?.shutdown();
      traffic?.close();
      provider?.close();
    });

    const allActive = (): boolean => {
      const fwds = engine.forwards();
      return fwds.length === 7 && fwds.every((f) => f.status === 'Active');
    };

    it('an operation on one forward leaves every other forward’s open connections byte-exact', async () => {
      await eventually(allActive, 15_000, 'all forwards active').catch((e: unknown) => {
        throw new Error(
          `${String(e)}: ${JSON.stringify(engine.forwards().map((f) => [f.serviceName, f.status, f.reason]))}`,
        );
      });
      const dbPod = sim.control.pods(NS).find((p) => p.metadata.name.startsWith('db-'))!.metadata.name;
      await fc.assert(
        fc.asyncProperty(
          opArb,
          fc.array(fc.nat({ max: 1000 }), { minLength: 3, maxLength: 10 }),
          fc.integer({ min: 1, max: 70_000 }),
          async (op, picks, size) => {
            await eventually(allActive, 15_000, 'all forwards active before the operation');
            const fwds = engine.forwards();
            const conns: Conn[] = [];
            try {
              for (const pick of picks) {
                const f = fwds[pick % fwds.length]!;
                const svc = (SERVICES.find((s) => f.serviceName === s) ??
                  SERVICES.find((s) => f.serviceName.endsWith(`.${s}`)))!;
                const c = await open(f.localIP, Number(f.localPort), f.serviceName, svc, Number(f.podPort));
                conns.push(c);
                await echoes(c, 64);
              }
              switch (op.kind) {
                case 'reconnect':
                  await engine.reconnectService(key(op.svc));
                  break;
                case 'sync':
                  await engine.syncService(key(op.svc), true);
                  break;
                case 'reconnect-all':
                  await engine.reconnectErrored({ force: true });
                  break;
                case 'remove':
                  await engine.removeService(key(op.svc));
                  break;
                case 'pod-port-fails':
                  await sim.control.setBackend(NS, dbPod, 'refuse', 'side');
                  break;
              }
              for (const c of conns.filter((c) => !targeted(op, c))) await echoes(c, size);
              expect(conns.filter((c) => !targeted(op, c) && c.closed).map((c) => c.target)).toEqual([]);
            } finally {
              for (const c of conns) c.socket.destroy();
              if (op.kind === 'remove') await engine.addService({ namespace: NS, serviceName: op.svc });
              if (op.kind === 'pod-port-fails') await sim.control.setBackend(NS, dbPod, 'echo', 'side');
            }
            // No forward is left in Error with nothing scheduled (issue 22 item 6).
            await eventually(allActive, 15_000, 'all forwards active after the operation');
          },
        ),
        { numRuns: 12 },
      );
    }, 240_000);
  });
}
