// Naming and selection through the real process: multi-namespace and multi-context hostnames
// (kubefwd's rules), -d, -m, -r, -l, -f, --service, --exclude.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBuilt, type CliProcess } from './cli-process.js';
import { createFixture, FOREIGN_HOSTS, type Fixture } from './fixture.js';
import { echoRoundTrip, eventually, httpGet, parseHosts, resolveName } from './net.js';
import { ipAt, ipPrefix, randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();
/** -r target: in the first namespace's /24 but far above the few addresses its services take. */
const RESERVED_IP = ipAt(IP_BASE, 206);
const UNUSED_IP = ipAt(IP_BASE, 207);
let fx: Fixture;

const hosts = async (): Promise<Map<string, string>> => parseHosts(await readFile(fx.hostsPath, 'utf8'));

const stop = async (p: CliProcess): Promise<void> => {
  p.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
  expect(await readFile(fx.hostsPath, 'utf8')).toBe(FOREIGN_HOSTS);
};

describe.skipIf(!isBuilt())(
  'naming and selection (real process, simulated cluster)',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      fx = await createFixture(IP_BASE);
    }, 30_000);
    afterEach(async (ctx) => {
      if (ctx.task.result?.state !== 'fail') return;
      console.log(fx.output().replace(/^[ |].*\n/gm, ''));
      // A failed test leaves its kubefwd running on the hosts file: stop it, or every later test
      // meets a live hosts file (a second kubefwd refuses) and fails too.
      await fx.reset();
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('two namespaces, -d, -m and -r: kubefwd’s names per namespace index, mapped port, reserved IP', async () => {
      const p = fx.start([
        '-n',
        'shop,analytics',
        '-d',
        'test.local',
        '-m',
        '8080:18080',
        '-r',
        `redis.shop:${RESERVED_IP}`,
        // Two slips kubefwd used to swallow: a short name for a service outside the first
        // namespace (it never matches) and a misspelt exclusion (kafka forwarded anyway).
        '-r',
        `reports:${UNUSED_IP}`,
        '--exclude',
        'shop/kafak',
      ]);
      await p.waitFor(
        /Reservation reports:\S+ matches no forwarded service \(did you mean "reports\.analytics"\?\)/,
      );
      await p.waitFor(/--exclude shop\/kafak matches no service in shop \(did you mean "kafka"\?\)/);
      await eventually(
        async () =>
          (await httpGet(await resolveName(fx.hostsPath, 'reports.analytics'), 18080, '/', 'reports'))
            .status === 200,
        20_000,
      );
      const h = await hosts();
      // First namespace: short names and the -d domain.
      for (const n of [
        'api-gateway',
        'api-gateway.test.local',
        'api-gateway.shop',
        'api-gateway.shop.svc.cluster.local',
        'api-gateway.shop.svc.cluster.test.local',
        'api-gateway.shop.sim',
        'api-gateway-shop-sim',
      ])
        expect(h.has(n), n).toBe(true);
      // Second namespace: no short name, no short domain name.
      expect(h.has('reports')).toBe(false);
      expect(h.has('reports.test.local')).toBe(false);
      for (const n of [
        'reports.analytics',
        'reports.analytics.svc',
        'reports.analytics.svc.cluster.local',
        'reports.analytics.svc.cluster.test.local',
        'reports.analytics.sim',
        'reports-analytics-svc-cluster-local',
      ])
        expect(h.has(n), n).toBe(true);
      expect(h.get('api-gateway')!.startsWith(ipPrefix(IP_BASE))).toBe(true);
      expect(h.get('reports.analytics')!.startsWith(ipPrefix(IP_BASE, 0, 1))).toBe(true);
      expect(h.get('redis')).toBe(RESERVED_IP);
      // -m 8080:18080 applies to every service with port 8080.
      expect((await httpGet(h.get('api-gateway')!, 18080, '/', 'api-gateway')).status).toBe(200);
      await expect(httpGet(h.get('api-gateway')!, 8080, '/', 'api-gateway', 1000)).rejects.toThrow();
      await stop(p);
    });

    it('two contexts (-x) with -l: context-qualified names and the second context’s address block', async () => {
      const kc = parse(await readFile(fx.sim.kubeconfigPath, 'utf8')) as {
        contexts: { name: string; context: unknown }[];
      };
      kc.contexts.push({ name: 'sim2', context: kc.contexts[0]!.context });
      const kcPath = join(fx.dir, 'two-contexts.yaml');
      await writeFile(kcPath, stringify(kc));
      const p = fx.start(['-c', kcPath, '-x', 'sim,sim2', '-n', 'analytics', '-l', 'app=reports']);
      await eventually(async () => (await hosts()).has('reports.sim2'), 40_000);
      await eventually(async () => (await hosts()).has('reports'), 40_000);
      const h = await hosts();
      expect(h.get('reports')!.startsWith(ipPrefix(IP_BASE))).toBe(true);
      const second = h.get('reports.sim2')!;
      expect(second.startsWith(ipPrefix(IP_BASE, 1))).toBe(true);
      for (const n of [
        'reports.analytics.sim2',
        'reports.analytics.svc.sim2',
        'reports.analytics.svc.cluster.sim2',
        'reports-analytics-sim2',
      ])
        expect(h.get(n), n).toBe(second);
      expect(
        h.has('reports.analytics.svc.cluster.local') && h.get('reports.analytics.svc.cluster.local'),
      ).not.toBe(second);
      expect(h.has('events')).toBe(false);
      expect(h.has('events.sim2')).toBe(false);
      expect((await httpGet(second, 8080, '/', 'reports.sim2')).status).toBe(200);
      await stop(p);
    });

    it('-f field selector forwards only the named service', async () => {
      const p = fx.start(['-n', 'analytics', '-f', 'metadata.name=events']);
      await eventually(async () => (await hosts()).has('events'), 40_000);
      const data = Buffer.from('field selector');
      expect((await echoRoundTrip((await hosts()).get('events')!, 9000, data)).equals(data)).toBe(true);
      expect((await hosts()).has('reports')).toBe(false);
      await stop(p);
    });

    it('a field selector the API server refuses is one line and exit 1 at start, not a watch retried for ever', async () => {
      const p = fx.start(['-n', 'analytics', '-f', 'bogus.field=x']);
      const r = await p.exited;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the API server refuses --field-selector: .*bogus\.field/);
      expect((await hosts()).has('events')).toBe(false);
    });

    it('--service picks single services across namespaces; --exclude drops one', async () => {
      const p = fx.start(['--service', 'shop/postgres', '--service', 'analytics/reports']);
      await eventually(async () => {
        const h = await hosts();
        return h.has('postgres') && [...h.keys()].some((k) => k.startsWith('reports'));
      }, 40_000);
      const h = await hosts();
      expect(h.has('api-gateway')).toBe(false);
      expect(h.has('events')).toBe(false);
      await stop(p);

      const q = fx.start(['-n', 'shop', '--exclude', 'shop/kafka', '--exclude', 'shop/redis']);
      await eventually(async () => (await hosts()).has('postgres'), 40_000);
      const h2 = await hosts();
      expect(h2.has('kafka')).toBe(false);
      expect(h2.has('kafka-0.kafka')).toBe(false);
      expect(h2.has('redis')).toBe(false);
      expect(h2.has('api-gateway')).toBe(true);
      await stop(q);
    });
  },
);
