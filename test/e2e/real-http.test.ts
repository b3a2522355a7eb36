// The HTTP log checked against software we did not write: Python's http.server (Debian's python3,
// HTTP/1.1 keep-alive) and Node's own HTTP server answering chunked, each behind a simulated pod,
// and curl through the forward by the name and address kubefwd wrote to its hosts file. What
// kubefwd logged for each exchange (method, path, status, sizes) must be what curl saw: the HEAD
// answer declares a length but has no body, the error answers close the connection, and chunked
// bodies (with a trailer, written slowly across many reads) are followed by more on the same
// connection, so the sniffer's framing is tested on real servers' bytes.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import type { HttpLogEntry } from '../../src/contract/api.js';
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

/** A pod whose container proxies to a server on this machine, and its service on `port`. */
const proxiedService = (name: string, port: number, serverPort: number): string => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: realhttp
  labels: { app: ${name} }
  annotations: { kubefwd.sim/backend.web: 'proxy:127.0.0.1:${serverPort}' }
spec:
  containers: [{ name: web, image: web:1, ports: [{ containerPort: 9000 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: realhttp }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: ${port}, targetPort: 9000 }]
`;

const yaml = (serverPort: number, streamPort: number): string =>
  [
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: realhttp }\n',
    proxiedService('files', 8080, serverPort),
    proxiedService('stream', 8081, streamPort),
  ].join('---\n');

/**
 * Node's HTTP server answering chunked (no length): \`/chunks?sizes=1,16,4096\` writes one chunk
 * per size, \`slow=1\` waits 5 ms between them (so they arrive in separate reads), \`trailer=1\`
 * ends with a trailer.
 */
const chunkedServer = (): Server =>
  createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const sizes = (url.searchParams.get('sizes') ?? '1').split(',').map(Number);
    const trailer = url.searchParams.has('trailer');
    res.writeHead(200, { 'content-type': 'text/plain', ...(trailer ? { trailer: 'x-count' } : {}) });
    const write = (i: number): void => {
      if (i === sizes.length) {
        if (trailer) res.addTrailers({ 'x-count': String(sizes.length) });
        res.end();
        return;
      }
      res.write('y'.repeat(sizes[i]!));
      if (url.searchParams.has('slow')) setTimeout(() => write(i + 1), 5);
      else write(i + 1);
    };
    write(0);
  });

describe.skipIf(unavailable !== undefined)(
  'the HTTP log of real HTTP traffic (python3 http.server, Node chunked, curl)',
  () => {
    let dir: string;
    let server: ChildProcess;
    let stream: Server;
    let sim: SimCluster;
    let daemon: Daemon;
    let api: ApiClient;
    let ip: string;
    let streamIp: string;

    /**
     * One curl run, a group (--next) per request: the groups share its connections (keep-alive),
     * by name, resolved to the address in kubefwd's hosts file. Returns what curl saw (status,
     * body bytes) and what kubefwd logged meanwhile, once it has as many entries.
     */
    const curlAndLog = async (name: string, port: number, address: string, requests: string[][]) => {
      const serviceKey = `${name}.realhttp`;
      const logs = async () =>
        (await api.serviceHttpTraffic(serviceKey, { count: 500 })).forwards.flatMap((f) => f.logs);
      const before = (await logs()).length;
      const each = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}\\n'];
      const { stdout } = await run(
        'curl',
        [
          '--resolve',
          `${name}:${port}:${address}`,
          ...requests.flatMap((r, i) => [
            ...(i > 0 ? ['--next'] : []),
            ...each,
            ...r.map((a) => a.replace(/^\//, `http://${name}:${port}/`)),
          ]),
        ],
        { timeout: 20_000 },
      );
      const seen = stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map(Number) as [number, number]);
      let entries: HttpLogEntry[] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        entries = (await logs()).slice(before);
        if (entries.length >= requests.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Every answer took some time, if under a millisecond: shown in µs, never "0s".
      for (const e of entries) {
        expect(e.durationMs).toBeGreaterThan(0);
        expect(e.duration).toMatch(/^\d+(\.\d+)?(µs|ms|s)$/);
        expect(e.duration).not.toBe('0s');
      }
      const logged = entries.map(({ method, path, statusCode, size, requestSize }) => ({
        method,
        path,
        statusCode,
        size,
        requestSize,
      }));
      return { seen, logged };
    };

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
      stream = chunkedServer();
      await new Promise<void>((r) => stream.listen(0, '127.0.0.1', r));
      sim = await createSimCluster({ scenario: 'empty', readyDelayMs: 10 });
      await sim.control.apply(yaml(port, (stream.address() as AddressInfo).port));
      daemon = startDaemon({
        kubeconfigPath: sim.kubeconfigPath,
        ipBase: randomIpBase(),
        args: ['svc', '-n', 'realhttp'],
      });
      api = await daemon.api();
      await waitAllActive(api, 2, 30_000);
      const hosts = hostsMap(await waitForBlock(daemon));
      ip = hosts.get('files')!;
      streamIp = hosts.get('stream')!;
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
      await new Promise((r) => stream?.close(r));
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('logs each exchange as curl saw it: keep-alive GETs, a HEAD, a 404 and a refused POST', async () => {
      const { seen, logged } = await curlAndLog('files', 8080, ip, [
        ['/hello.txt'],
        ['/?list=1'],
        ['-I', '/hello.txt'],
        ['/missing.txt'],
        ['-d', 'abc=1', '/hello.txt'],
      ]);
      expect(seen.map(([status]) => status)).toEqual([200, 200, 200, 404, 501]);
      expect(seen[0]![1]).toBe(1000);
      expect(seen[2]![1]).toBe(0);
      expect(logged).toEqual(
        [
          { method: 'GET', path: '/hello.txt', requestSize: 0 },
          { method: 'GET', path: '/?list=1', requestSize: 0 },
          { method: 'HEAD', path: '/hello.txt', requestSize: 0 },
          { method: 'GET', path: '/missing.txt', requestSize: 0 },
          { method: 'POST', path: '/hello.txt', requestSize: 5 },
        ].map((e, i) => ({ ...e, statusCode: seen[i]![0], size: seen[i]![1] })),
      );
    }, 60_000);

    it('logs chunked answers with their decoded sizes, and the exchanges after them on the same connection', async () => {
      // Sizes in hex with letters (a, ff, bb8) and without, one read or many.
      const paths = [
        '/chunks?sizes=1,10,255,4096,70000',
        '/chunks?sizes=3,11,3000&slow=1&trailer=1',
        '/chunks?sizes=65536,1&slow=1',
        '/chunks?sizes=2',
      ];
      const { seen, logged } = await curlAndLog(
        'stream',
        8081,
        streamIp,
        paths.map((p) => [p]),
      );
      expect(seen).toEqual([
        [200, 74362],
        [200, 3014],
        [200, 65537],
        [200, 2],
      ]);
      expect(logged).toEqual(
        paths.map((path, i) => ({ method: 'GET', path, statusCode: 200, size: seen[i]![1], requestSize: 0 })),
      );
    }, 60_000);
  },
);
