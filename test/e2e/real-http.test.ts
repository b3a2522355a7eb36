// The HTTP log checked against software we did not write: Python's http.server (Debian's python3,
// HTTP/1.1 keep-alive) behind a simulated pod, and curl through the forward by the name and address
// kubefwd wrote to its hosts file. What kubefwd logged for each exchange (method, path, status,
// sizes) must be what curl saw; the HEAD answer declares a length but has no body, and the error
// answers close the connection, so the sniffer's pairing is tested on a server's real framing.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostsMap,
  startDaemon,
  waitAllActive,
  waitForBlock,
  type Daemon,
} from '../../bench/lib/daemon-harness.js';
import { stopChild } from '../../bench/lib/processes.js';
import { freePort } from '../../bench/lib/real-servers.js';
import type { ApiClient } from '../../src/api/client/index.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { randomIpBase } from '../support/addresses.js';
import { isBuilt } from './cli-process.js';

const run = promisify(execFile);
const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const unavailable = !onPath('python3')
  ? 'python3 missing (apt-get install python3)'
  : !onPath('curl')
    ? 'curl missing (apt-get install curl)'
    : isBuilt()
      ? undefined
      : 'not built (npm run build)';
if (unavailable !== undefined)
  console.warn(`skipping the real HTTP test: ${unavailable} (.ci/run installs them)`);

const yaml = (serverPort: number): string => `
apiVersion: v1
kind: Namespace
metadata: { name: realhttp }
---
apiVersion: v1
kind: Pod
metadata:
  name: files
  namespace: realhttp
  labels: { app: files }
  annotations: { kubefwd.sim/backend.web: 'proxy:127.0.0.1:${serverPort}' }
spec:
  containers: [{ name: web, image: python:3, ports: [{ containerPort: 8000 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: files, namespace: realhttp }
spec:
  selector: { app: files }
  ports: [{ name: http, port: 8080, targetPort: 8000 }]
`;

describe.skipIf(unavailable !== undefined)(
  'the HTTP log of real HTTP traffic (python3 http.server, curl)',
  () => {
    let dir: string;
    let server: ChildProcess;
    let sim: SimCluster;
    let daemon: Daemon;
    let api: ApiClient;
    let ip: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kubefwd-real-http-'));
      writeFileSync(join(dir, 'hello.txt'), 'x'.repeat(1000));
      const port = await freePort();
      server = spawn(
        'python3',
        ['-m', 'http.server', '-p', 'HTTP/1.1', '-b', '127.0.0.1', '-d', dir, String(port)],
        {
          stdio: 'ignore',
        },
      );
      sim = await createSimCluster({ scenario: 'empty', readyDelayMs: 10 });
      await sim.control.apply(yaml(port));
      daemon = startDaemon({
        kubeconfigPath: sim.kubeconfigPath,
        ipBase: randomIpBase(),
        args: ['svc', '-n', 'realhttp'],
      });
      api = await daemon.api();
      await waitAllActive(api, 1, 30_000);
      ip = hostsMap(await waitForBlock(daemon)).get('files')!;
      // The server may still be starting: retry until it answers through the forward.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const probe = await run('curl', [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          `http://${ip}:8080/`,
        ]).catch(() => ({ stdout: '000' }));
        if (probe.stdout === '200') break;
        if (Date.now() > deadline) throw new Error(`python3 http.server did not answer through the forward`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }, 90_000);

    afterAll(async () => {
      await daemon?.stop();
      daemon?.cleanup();
      await sim?.stop();
      if (server) await stopChild(server);
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('logs each exchange as curl saw it: keep-alive GETs, a HEAD, a 404 and a refused POST', async () => {
      const before = (await api.serviceHttpTraffic('files.realhttp', { count: 500 })).forwards.flatMap(
        (f) => f.logs,
      );
      const url = (path: string) => `http://files:8080${path}`;
      const each = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}\\n'];
      // One curl: the groups (--next) share its connections, so the GETs and the HEAD go over one
      // keep-alive connection; by name, resolved to the address in kubefwd's hosts file.
      const requests = [
        [url('/hello.txt')],
        [url('/?list=1')],
        ['-I', url('/hello.txt')],
        [url('/missing.txt')],
        ['-d', 'abc=1', url('/hello.txt')],
      ];
      const { stdout } = await run(
        'curl',
        [
          '--resolve',
          `files:8080:${ip}`,
          ...requests.flatMap((r, i) => [...(i > 0 ? ['--next'] : []), ...each, ...r]),
        ],
        { timeout: 20_000 },
      );
      const seen = stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map(Number) as [number, number]);
      expect(seen.map(([status]) => status)).toEqual([200, 200, 200, 404, 501]);
      const expected = [
        { method: 'GET', path: '/hello.txt', requestSize: 0 },
        { method: 'GET', path: '/?list=1', requestSize: 0 },
        { method: 'HEAD', path: '/hello.txt', requestSize: 0 },
        { method: 'GET', path: '/missing.txt', requestSize: 0 },
        { method: 'POST', path: '/hello.txt', requestSize: 5 },
      ].map((e, i) => ({ ...e, statusCode: seen[i]![0], size: seen[i]![1] }));
      expect(expected[0]!.size).toBe(1000);
      expect(expected[2]!.size).toBe(0);
      let logged: unknown[] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const all = (await api.serviceHttpTraffic('files.realhttp', { count: 500 })).forwards.flatMap(
          (f) => f.logs,
        );
        logged = all.slice(before.length).map(({ method, path, statusCode, size, requestSize }) => ({
          method,
          path,
          statusCode,
          size,
          requestSize,
        }));
        if (logged.length >= expected.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(logged).toEqual(expected);
    }, 60_000);
  },
);
