// Issue 22 item 6: "reconnect all" when services share a pod (legacy-db's Endpoints name the
// postgres pod; kafka's pods also serve kafka-N.kafka) left kafka.shop and legacy-db.shop in Error
// "port-forward session … was closed" with no retry scheduled, until new traffic arrived (without
// -a). A forward never sits in Error without a scheduled retry or a reason the user must act on:
// here, with no traffic at all, every forward is Active again after each reconnect-all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { createEngine, type EngineRuntime } from '../../src/engine/index.js';
import { createTrafficRecorder } from '../../src/engine/traffic/index.js';
import { createClusterProvider, type KubeClusterProvider } from '../../src/kube/index.js';
import { createHostsFile } from '../../src/os/hosts-file.js';
import { createListeners } from '../../src/os/listener.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { eventually, memoryLogger, noLoopback } from '../engine/fakes.js';
import { randomIpBase } from '../support/addresses.js';

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-reconnect-shared-'));
let sim: SimCluster;
let provider: KubeClusterProvider;
let engine: EngineRuntime;
let traffic: ReturnType<typeof createTrafficRecorder>;
const events: EngineEvent[] = [];

beforeAll(async () => {
  const hostsPath = join(dir, 'hosts');
  writeFileSync(hostsPath, '127.0.0.1 localhost\n');
  sim = await createSimCluster({ scenario: 'sample', readyDelayMs: 10, dir });
  provider = createClusterProvider({ kubeconfigPath: sim.kubeconfigPath, invokingUser: null });
  traffic = createTrafficRecorder();
  engine = createEngine({
    clusters: provider,
    hosts: createHostsFile({ path: hostsPath }),
    listener: createListeners(),
    loopback: noLoopback,
    traffic,
    logger: memoryLogger(),
    options: { ipBase: randomIpBase(), hostsBatchMs: 5, autoReconnect: false },
  });
  engine.subscribe((e) => events.push(e));
}, 30_000);

afterAll(async () => {
  await engine?.shutdown();
  traffic?.close();
  provider?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const allActive = (): boolean => {
  const fwds = engine.forwards();
  return fwds.length > 0 && fwds.every((f) => f.status === 'Active');
};

describe('reconnect all with shared pods (no -a, no traffic)', () => {
  it('leaves no forward in Error without a retry; all are Active again', async () => {
    await engine.addNamespace({ namespace: 'shop' });
    await eventually(allActive, 15_000, 'all forwards active');
    for (let round = 0; round < 5; round++) {
      events.length = 0;
      const keys = await engine.reconnectErrored({ force: true });
      expect(keys).toContain('legacy-db.shop.sim');
      await eventually(allActive, 10_000, `all forwards active again (round ${round + 1})`).catch(
        (err: unknown) => {
          const stuck = engine.forwards().filter((f) => f.status !== 'Active');
          throw new Error(`${String(err)}: ${JSON.stringify(stuck.map((f) => [f.key, f.status, f.reason]))}`);
        },
      );
      const strandedErrors = events.flatMap((e) =>
        e.type === 'ForwardUpdated' && e.forward.status === 'Error' && e.forward.nextRetryAt === undefined
          ? [`${e.forward.key}: ${e.forward.reason ?? ''}`]
          : [],
      );
      expect(strandedErrors).toEqual([]);
    }
  }, 90_000);
});
