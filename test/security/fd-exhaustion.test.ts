// Issue 22 item 4: file descriptors do not run out silently, and the API cannot starve the forwards.
// A real kubefwd under `ulimit -n 256` (Node raises the soft limit to the hard one by itself; the
// shell's `ulimit -n` sets both) forwards a namespace while a runaway client holds 300 idle
// connections to the API: the API closes what is over its caps and says so, the forward keeps
// answering, and /api/health reports the limit and the refusals.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceMonitor } from '../../src/os/fd-limits.js';
import { binPath, isBuilt, repoRoot } from '../e2e/cli-process.js';
import { createFixture, type Fixture } from '../e2e/fixture.js';
import { randomIpBase } from './support.js';
import { eventually, httpGet, resolveName } from '../e2e/net.js';

describe('resource monitor (pure)', () => {
  it('counts accept failures and refused API connections, logs at most once per 10 s with a tally', () => {
    const warnings: string[] = [];
    let t = 0;
    const m = createResourceMonitor({
      warn: (w) => warnings.push(w),
      now: () => t,
      limit: () => ({ soft: 100, hard: 100 }),
      openFiles: () => 10,
    });
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    m.acceptFailed('127.1.0.1:80', emfile);
    m.acceptFailed('127.1.0.1:80', emfile);
    t = 10_001;
    m.acceptFailed('127.1.0.1:80', emfile);
    expect(m.counters.acceptErrors).toBe(3);
    expect(warnings).toEqual([
      'Cannot accept a connection on 127.1.0.1:80: EMFILE (out of file descriptors, limit 100; raise it with `ulimit -n`)',
      'Cannot accept a connection on 127.1.0.1:80: EMFILE (out of file descriptors, limit 100; raise it with `ulimit -n`) (and 1 more since the last report)',
    ]);
    m.apiConnectionRefused('too many');
    expect(m.snapshot()).toEqual({
      acceptErrors: 3,
      apiConnectionsRefused: 1,
      nearFileLimit: 0,
      openFiles: 10,
      fileLimit: 100,
    });
  });

  it('warns once each time the open-file count comes near the limit', () => {
    const warnings: string[] = [];
    let open = 50;
    const m = createResourceMonitor({
      warn: (w) => warnings.push(w),
      limit: () => ({ soft: 100, hard: 100 }),
      openFiles: () => open,
    });
    m.sample();
    open = 95;
    m.sample();
    m.sample();
    open = 40;
    m.sample();
    open = 99;
    m.sample();
    expect(m.counters.nearFileLimit).toBe(2);
    expect(warnings[0]).toMatch(/^95 of 100 file descriptors are open/);
  });
});

describe.skipIf(!isBuilt() || process.platform !== 'linux')(
  'kubefwd under ulimit -n 256 with a runaway API client (real process; needs `npm run build`, Linux)',
  { timeout: 120_000 },
  () => {
    let fx: Fixture;
    beforeAll(async () => {
      fx = await createFixture(randomIpBase());
    }, 30_000);
    afterAll(async () => {
      await fx?.close();
    });

    it('forwards keep working, the API refuses what is over its caps and /api/health says so', async () => {
      const args = ['-c', fx.sim.kubeconfigPath, '--hosts-path', fx.hostsPath, '--api-listen', '127.0.0.1:0'];
      const quoted = [binPath, ...args, '-z', fx.fwdConf, '-n', 'analytics']
        .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
        .join(' ');
      const child = spawn('sh', ['-c', `ulimit -n 256 && exec '${process.execPath}' ${quoted}`], {
        cwd: repoRoot,
        env: fx.env,
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const idle: Socket[] = [];
      try {
        const url = await eventually(async () => {
          const m = /API server running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (!m) throw new Error(`not yet: ${out}`);
          return m[1]!;
        }, 30_000);
        const port = Number(new URL(url).port);
        const ip = await eventually(() => resolveName(fx.hostsPath, 'reports'), 40_000);
        await eventually(
          async () => expect((await httpGet(ip, 8080, '/', 'reports', 2000)).status).toBe(200),
          40_000,
        );

        // The runaway client: 300 idle connections from its own loopback address.
        await Promise.all(
          Array.from(
            { length: 300 },
            () =>
              new Promise<void>((resolve) => {
                const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
                idle.push(s);
                s.on('error', () => resolve());
                s.on('close', () => resolve());
                s.on('connect', () => setTimeout(resolve, 50));
              }),
          ),
        );
        // The forward still answers while they are held…
        for (let i = 0; i < 20; i++)
          expect((await httpGet(ip, 8080, `/n${i}`, 'reports', 5000)).status).toBe(200);
        // …and so does the API, for another client.
        const health = (await (await fetch(`${url}/api/health`)).json()) as {
          resources?: { apiConnectionsRefused: number; fileLimit?: number; openFiles?: number };
        };
        expect(health.resources?.fileLimit).toBe(256);
        expect(health.resources?.apiConnectionsRefused).toBeGreaterThanOrEqual(300 - 64);
        expect(health.resources?.openFiles).toBeLessThan(256);
        // ulimit -n 256: the API keeps to 64 connections, the idle ones giving way to new ones.
        expect(out).toMatch(
          /API connections at their cap: closed an idle API connection to make room \(more than 64 open\)/,
        );
      } finally {
        for (const s of idle) s.destroy();
        child.kill('SIGTERM');
        await exited;
      }
    });
  },
);
