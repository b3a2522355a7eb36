// issue 4 "Done when", through the real CLI process against the simulated cluster: the hosts file
// as kubefwd writes it, traffic by name, headless per-pod names, live service changes, pod
// replacement, cut streams, and SIGTERM cleanup leaving foreign content byte for byte.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBuilt, type CliProcess } from './cli-process.js';
import { createFixture, FOREIGN_HOSTS, type Fixture } from './fixture.js';
import {
  echoRoundTrip,
  eventually,
  hasBlock,
  httpGet,
  kubefwdBlock,
  parseHosts,
  resolveName,
} from './net.js';
import { ipPrefix, randomIpBase } from '../support/addresses.js';
import { backupFileName } from '../../src/os/hosts-backup.js';

const IP_BASE = randomIpBase();

let fx: Fixture;
let kubefwd: CliProcess;

const hostsText = (): Promise<string> => readFile(fx.hostsPath, 'utf8');
const podOf = (body: string): string => (JSON.parse(body) as { pod: string }).pod;

describe.skipIf(!isBuilt())(
  'kubefwd svc -n shop (real process, simulated cluster)',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      fx = await createFixture(IP_BASE);
      kubefwd = fx.start(['svc', '-n', 'shop', '-v']);
      await kubefwd.waitFor(/API server running at http:\/\/127\.0\.0\.1:\d+/);
      // Every service with a ready pod answers.
      await eventually(async () => {
        const ip = await resolveName(fx.hostsPath, 'api-gateway');
        return (await httpGet(ip, 8080, '/', 'api-gateway')).status === 200;
      }, 40_000);
      await eventually(
        async () =>
          (await echoRoundTrip(await resolveName(fx.hostsPath, 'kafka-2.kafka'), 9092, Buffer.from('x')))
            .length === 1,
        20_000,
      );
    }, 120_000);

    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') console.log(fx.output().replace(/^[ |].*\n/gm, ''));
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('writes the hosts block kubefwd would (golden), one block, foreign content first and intact', async () => {
      const text = await hostsText();
      expect(text.startsWith(FOREIGN_HOSTS)).toBe(true);
      expect(text.match(/# kubefwd begin /g)).toHaveLength(1);
      // The golden file names the addresses under 127.11.27.x; this run's base is random.
      await expect(kubefwdBlock(text).split(ipPrefix(IP_BASE)).join('127.11.27.')).toMatchFileSnapshot(
        'golden/shop-hosts-block.txt',
      );
    });

    it('HTTP through api-gateway:8080 resolved via the hosts file', async () => {
      const ip = await resolveName(fx.hostsPath, 'api-gateway');
      expect(ip.startsWith(ipPrefix(IP_BASE))).toBe(true);
      for (const name of [
        'api-gateway',
        'api-gateway.shop',
        'api-gateway.shop.svc.cluster.local',
        'api-gateway-shop-svc-cluster-local',
      ])
        expect(await resolveName(fx.hostsPath, name)).toBe(ip);
      const r = await httpGet(ip, 8080, '/hello', 'api-gateway');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ namespace: 'shop' });
    });

    it('byte-exact echo through postgres:5432, and the named targetPort of auth:443', async () => {
      const data = randomBytes(1 << 20);
      const back = await echoRoundTrip(await resolveName(fx.hostsPath, 'postgres'), 5432, data);
      expect(back.equals(data)).toBe(true);
      const auth = await httpGet(await resolveName(fx.hostsPath, 'auth'), 443, '/', 'auth');
      expect(auth.status).toBe(200);
    });

    it('headless: every pod its own name and address, the service name forwarded to the first pod', async () => {
      const hosts = parseHosts(await hostsText());
      const ips = ['kafka-0.kafka', 'kafka-1.kafka', 'kafka-2.kafka', 'kafka'].map((n) => hosts.get(n));
      expect(ips.every((ip) => ip !== undefined)).toBe(true);
      // As kubefwd: the plain service name is its own forward (to the first pod), with its own address.
      expect(new Set(ips).size).toBe(4);
      expect(kubefwd.stdout()).toMatch(/kafka\.shop → [\d.]+:9092 → pod kafka-0/);
      for (const ip of ips) {
        const data = randomBytes(4096);
        expect((await echoRoundTrip(ip!, 9092, data)).equals(data)).toBe(true);
      }
    });

    it('selector-less legacy-db follows its Endpoints to the postgres pod; ExternalName and UDP-only are skipped with a reason', async () => {
      const data = randomBytes(2048);
      expect(
        (await echoRoundTrip(await resolveName(fx.hostsPath, 'legacy-db'), 5432, data)).equals(data),
      ).toBe(true);
      const hosts = parseHosts(await hostsText());
      expect(hosts.has('payments')).toBe(false);
      expect(hosts.has('statsd')).toBe(false);
      const log = kubefwd.stdout() + kubefwd.stderr();
      expect(log).toMatch(/payments.*ExternalName/i);
      expect(log).toMatch(/statsd.*UDP/i);
    });

    it('a service created while running is forwarded, and removed when deleted', async () => {
      await fx.sim.control.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: catalog, namespace: shop, labels: { app: catalog } }
spec:
  replicas: 1
  selector: { matchLabels: { app: catalog } }
  template:
    metadata: { labels: { app: catalog }, annotations: { kubefwd.sim/backend: http } }
    spec:
      containers: [{ name: catalog, image: example/catalog:1, ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: catalog, namespace: shop, labels: { app: catalog } }
spec:
  selector: { app: catalog }
  ports: [{ name: http, port: 8081, targetPort: 8080 }]
`);
      const r = await eventually(async () => {
        const res = await httpGet(await resolveName(fx.hostsPath, 'catalog'), 8081, '/', 'catalog');
        return res.status === 200 ? res : undefined;
      }, 30_000);
      expect(podOf(r.body)).toMatch(/^catalog-/);
      await fx.sim.control.deleteObject('Service', 'shop', 'catalog');
      await eventually(async () => !parseHosts(await hostsText()).has('catalog'), 30_000);
    });

    it('pod deletion → traffic flows to the replacement', async () => {
      const ip = await resolveName(fx.hostsPath, 'postgres');
      const before = fx.sim.control.pods('shop').filter((p) => p.metadata.name.startsWith('postgres-'));
      expect(before).toHaveLength(1);
      await fx.sim.control.deletePod('shop', before[0]!.metadata.name);
      await eventually(async () => {
        const now = fx.sim.control.pods('shop').filter((p) => p.metadata.name.startsWith('postgres-'));
        return now.some((p) => p.metadata.name !== before[0]!.metadata.name);
      }, 30_000);
      const data = randomBytes(1024);
      const back = await eventually(async () => {
        const b = await echoRoundTrip(ip, 5432, data, 3000);
        return b.equals(data) ? b : undefined;
      }, 30_000);
      expect(back.equals(data)).toBe(true);
      // Same address: IPs are keyed by service, not pod.
      expect(await resolveName(fx.hostsPath, 'postgres')).toBe(ip);
    });

    it('HTTP moves to the other api-gateway pod when the serving one is deleted', async () => {
      const ip = await resolveName(fx.hostsPath, 'api-gateway');
      const first = podOf((await httpGet(ip, 8080, '/', 'api-gateway')).body);
      await fx.sim.control.deletePod('shop', first);
      const next = await eventually(async () => {
        const res = await httpGet(ip, 8080, '/', 'api-gateway', 2000);
        const pod = podOf(res.body);
        return pod !== first ? pod : undefined;
      }, 30_000);
      expect(next).not.toBe(first);
    });

    it('all port-forward streams cut → forwards recover', async () => {
      const ip = await resolveName(fx.hostsPath, 'redis');
      const cut = fx.sim.control.cutStreams();
      expect(cut).toBeGreaterThanOrEqual(0);
      const data = randomBytes(512);
      await eventually(async () => (await echoRoundTrip(ip, 6379, data, 3000)).equals(data), 30_000);
      await eventually(
        async () =>
          (await httpGet(await resolveName(fx.hostsPath, 'api-gateway'), 8080, '/', 'api-gateway', 3000))
            .status === 200,
        15_000,
      );
    });

    it('GOAWAY from the API server: an open connection goes on, new ones take a fresh port-forward', async () => {
      const ip = await resolveName(fx.hostsPath, 'redis');
      const open = connect(6379, ip);
      await once(open, 'connect');
      const echo = async (text: string): Promise<string> => {
        open.write(text);
        const [chunk] = (await once(open, 'data')) as [Buffer];
        return chunk.toString();
      };
      try {
        expect(await echo('before')).toBe('before');
        expect(await fx.sim.control.goAway()).toBeGreaterThan(0);
        // The forward has moved to a new port-forward connection: a new client gets through…
        await kubefwd.waitFor(/lost connection to pod redis-\S+: .*GOAWAY/);
        const data = randomBytes(256);
        await eventually(async () => (await echoRoundTrip(ip, 6379, data, 3000)).equals(data), 15_000);
        // …and the connection opened before GOAWAY was not cut (kubectl lets it finish too).
        expect(await echo('after')).toBe('after');
        expect(open.destroyed).toBe(false);
      } finally {
        open.destroy();
      }
    });

    it("/api/v1/diagnostics says the daemon's memory as the kernel and V8 see it", async () => {
      const { url, key } = JSON.parse(await readFile(join(fx.home, '.kubefwd', 'api.json'), 'utf8')) as {
        url: string;
        key: string;
      };
      const res = await fetch(`${url}/api/v1/diagnostics`, { headers: { authorization: `Bearer ${key}` } });
      const { process: p } = ((await res.json()) as { data: { process: Record<string, number> } }).data;
      const pid = kubefwd.child.pid!;
      const vmRss =
        Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
      expect(p.pid).toBe(pid);
      expect(p.rssBytes! / vmRss).toBeGreaterThan(0.7);
      expect(p.rssBytes! / vmRss).toBeLessThan(1.3);
      expect(p.heapUsedBytes).toBeGreaterThan(0);
      expect(p.heapUsedBytes).toBeLessThanOrEqual(p.heapTotalBytes!);
      expect(p.fullCollections).toBeGreaterThanOrEqual(0);
      // The live heap is known once V8 has run a full collection.
      if (p.fullCollections! > 0) expect(p.liveHeapBytes).toBeGreaterThan(0);
    });

    it('a pod that refuses connections: the forward stays Active, and the analysis and quick status say connections fail', async () => {
      const { url, key } = JSON.parse(await readFile(join(fx.home, '.kubefwd', 'api.json'), 'utf8')) as {
        url: string;
        key: string;
      };
      const api = async <T>(path: string): Promise<T> =>
        (
          (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
            data: T;
          }
        ).data;
      const pod = fx.sim.control.pods('shop').find((p) => p.metadata.name.startsWith('redis-'))!.metadata
        .name;
      await fx.sim.control.setBackend('shop', pod, 'refuse');
      try {
        const ip = await resolveName(fx.hostsPath, 'redis');
        // The client sees its connection end without an answer.
        expect((await echoRoundTrip(ip, 6379, Buffer.from('PING\r\n'), 5000)).length).toBe(0);
        type Issue = { serviceKey?: string; status?: string; errorType: string; message: string };
        const issue = await eventually(async () => {
          const found = (await api<{ issues: Issue[] }>('/api/v1/analyze')).issues.find((i) =>
            i.serviceKey?.startsWith('redis.shop.'),
          );
          return found;
        }, 10_000);
        expect(issue).toMatchObject({ status: 'Active', errorType: 'connection_refused' });
        expect(issue.message).toMatch(/connection refused/);
        expect(await api<{ status: string; message: string }>('/api/v1/status')).toMatchObject({
          status: 'issues',
          message: expect.stringMatching(/connections to 1 fail \(redis\.shop\./),
        });
      } finally {
        await fx.sim.control.setBackend('shop', pod, 'echo');
      }
    });

    it('SIGTERM → forwards stop, block removed, hosts file byte for byte as before, exit 0', async () => {
      expect(hasBlock(await hostsText())).toBe(true);
      // A program following the event stream hears the end and sees the stream close cleanly.
      const { url, key } = JSON.parse(await readFile(join(fx.home, '.kubefwd', 'api.json'), 'utf8')) as {
        url: string;
        key: string;
      };
      const events = await fetch(`${url}/api/v1/events?type=ShutdownStarted,ShutdownComplete`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const heard = events.text();
      kubefwd.kill('SIGTERM');
      const r = await kubefwd.exited;
      expect(r.code).toBe(0);
      expect(await heard).toMatch(/event: ShutdownStarted[\s\S]*event: ShutdownComplete/);
      expect(await readFile(fx.hostsPath)).toEqual(Buffer.from(FOREIGN_HOSTS, 'utf8'));
      // The backup was made before the first change, under the scratch file's own name (not as
      // ~/hosts.original, which stays the system file's).
      expect(await readFile(`${fx.home}/${backupFileName(fx.hostsPath, '/etc/hosts')}`, 'utf8')).toBe(
        FOREIGN_HOSTS,
      );
      expect(existsSync(`${fx.home}/hosts.original`)).toBe(false);
    });
  },
);
