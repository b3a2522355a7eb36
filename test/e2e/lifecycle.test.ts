// Start/stop edges through the real process: SIGKILL leaves a block the next start removes; a second
// signal forces a fast cleanup; missing RBAC and a taken port are clear errors; the discovery file
// lets `kubefwd mcp`/`kubefwd tui` find the daemon.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isBuilt, runCli } from './cli-process.js';
import { createFixture, FOREIGN_HOSTS, type Fixture } from './fixture.js';
import { eventually, hasBlock, httpGet, resolveName } from './net.js';
import { ipAt, randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();
let fx: Fixture;

const hostsText = (): Promise<string> => readFile(fx.hostsPath, 'utf8');
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** The block of process `pid` is in the hosts file and reports answers through it. */
const forwarding = async (pid: number | undefined): Promise<boolean> => {
  if (!(await hostsText()).includes(`# kubefwd begin pid-${String(pid)}`)) return false;
  const ip = await resolveName(fx.hostsPath, 'reports');
  return (await httpGet(ip, 8080, '/', 'reports', 2000)).status === 200;
};

describe.skipIf(!isBuilt())(
  'daemon lifecycle (real process, simulated cluster)',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      fx = await createFixture(IP_BASE);
    }, 30_000);
    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') console.log(fx.output().replace(/^[ |].*\n/gm, ''));
    });
    afterAll(async () => {
      await fx?.close();
    });

    it('SIGKILL leaves the block; the next start removes it before writing its own; SIGTERM then restores the file', async () => {
      const first = fx.start(['-n', 'analytics']);
      await eventually(() => forwarding(first.child.pid), 40_000);
      const firstPid = first.child.pid;
      first.kill('SIGKILL');
      await first.exited;
      const stale = await hostsText();
      expect(hasBlock(stale)).toBe(true);
      expect(stale).toContain(`# kubefwd begin pid-${String(firstPid)}`);

      const second = fx.start(['-n', 'analytics']);
      await eventually(() => forwarding(second.child.pid), 40_000);
      const text = await hostsText();
      expect(text.match(/# kubefwd begin /g)).toHaveLength(1);
      expect(text).not.toContain(`# kubefwd begin ${String(firstPid)}\n`);
      second.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('a reader of its output that went away (`| tee`, ended by the same Ctrl-C) does not stop the clean-up', async () => {
      const p = fx.start(['-n', 'analytics']);
      await eventually(() => forwarding(p.child.pid), 40_000);
      // Both pipes lose their reader: every line written from now on fails with EPIPE.
      p.child.stdout.destroy();
      p.child.stderr.destroy();
      p.kill('SIGINT');
      expect((await p.exited).code).toBe(0);
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('an error nothing catches is said, the block removed at once, and kubefwd exits 1', async () => {
      const p = fx.start(['-n', 'analytics'], { KUBEFWD_TEST_THROW_AFTER_MS: '4000' });
      const block = `# kubefwd begin pid-${String(p.child.pid)}`;
      await eventually(async () => (await hostsText()).includes(block), 40_000);
      const { code, stderr } = await p.exited;
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /kubefwd stopped on an unexpected error: Error: injected by KUBEFWD_TEST_THROW_AFTER_MS/,
      );
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('writes the discovery file while running and removes it at exit', async () => {
      const p = fx.start(['-n', 'analytics']);
      const m = await p.waitFor(/API server running at (http:\/\/127\.0\.0\.1:\d+)/);
      const file = join(fx.home, '.kubefwd', 'api.json');
      const info = JSON.parse(await readFile(file, 'utf8')) as { url: string; key: string; pid: number };
      expect(info.pid).toBe(p.child.pid);
      expect(info.url.startsWith(m[1]!)).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const health = await fetch(`${m[1]}/api/health`);
      expect(health.status).toBe(200);
      p.kill('SIGINT');
      expect((await p.exited).code).toBe(0);
      await expect(stat(file)).rejects.toThrow();
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('a second kubefwd takes the discovery file while it runs and gives it back when it stops', async () => {
      const file = join(fx.home, '.kubefwd', 'api.json');
      const entry = async () =>
        JSON.parse(await readFile(file, 'utf8')) as { url: string; key: string; pid: number };
      const otherHosts = join(fx.dir, 'hosts-second');
      const startSecond = async () => {
        await writeFile(otherHosts, FOREIGN_HOSTS);
        return fx.start(['--hosts-path', otherHosts, '-n', 'analytics']);
      };
      const first = fx.start(['-n', 'analytics']);
      await first.waitFor(/API server running at/);
      const firstEntry = await entry();
      expect(firstEntry.pid).toBe(first.child.pid);

      // Stopped last-in first-out: the first daemon's entry comes back, so mcp/tui/open find it.
      const second = await startSecond();
      await second.waitFor(
        new RegExp(`Another kubefwd \\(pid ${String(first.child.pid)}, API ${firstEntry.url}\\) is running`),
      );
      expect((await entry()).pid).toBe(second.child.pid);
      second.kill('SIGINT');
      expect((await second.exited).code).toBe(0);
      expect(await entry()).toEqual(firstEntry);
      expect((await fetch(`${firstEntry.url}/api/health`)).status).toBe(200);

      // The first stops first: it leaves the third's entry alone, and the third does not bring
      // back the entry of a daemon that is gone.
      const third = await startSecond();
      await third.waitFor(/Another kubefwd/);
      first.kill('SIGINT');
      expect((await first.exited).code).toBe(0);
      expect((await entry()).pid).toBe(third.child.pid);
      third.kill('SIGINT');
      expect((await third.exited).code).toBe(0);
      await expect(stat(file)).rejects.toThrow();
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
      expect(await readFile(otherHosts, 'utf8')).toBe(FOREIGN_HOSTS);
    });

    it('a second signal forces the hosts cleanup and exits 1', async () => {
      const p = fx.start(['-n', 'analytics'], { KUBEFWD_TEST_SLOW_SHUTDOWN_MS: '3000' });
      await eventually(() => forwarding(p.child.pid), 40_000);
      p.kill('SIGINT');
      await p.waitFor(/Shutting down/);
      p.kill('SIGINT');
      const r = await p.exited;
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/Forced shutdown - cleaning up hosts file/);
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('an API server that accepts and never answers: start-up says what it waits for, and Ctrl-C ends it at once', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const { port } = silent.address() as { port: number };
      try {
        const kc = (await readFile(fx.sim.kubeconfigPath, 'utf8')).replace(
          /server: \S+/g,
          `server: https://127.0.0.1:${port}`,
        );
        const kcPath = join(fx.dir, 'silent-kubeconfig.yaml');
        await writeFile(kcPath, kc);
        // -c given twice: the later one wins, as with every option of kubefwd.
        const p = fx.start(['-c', kcPath, '-n', 'analytics']);
        await p.waitFor(/Waiting for the Kubernetes API server \(context [^)]+\); Ctrl-C stops/, 20_000);
        const at = Date.now();
        p.kill('SIGINT');
        const r = await p.exited;
        expect(r.code).toBe(130);
        expect(Date.now() - at).toBeLessThan(5000);
        expect(await hostsText()).toBe(FOREIGN_HOSTS);
      } finally {
        silent.close();
      }
    });

    it('a signal while an exec credential plugin runs stops the plugin too', async () => {
      // kill(1) reaches kubefwd alone (a terminal's Ctrl-C reaches the plugin as well).
      const pidFile = join(fx.dir, 'plugin.pid');
      const plugin = join(fx.dir, 'slow-plugin.sh');
      await writeFile(plugin, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`, { mode: 0o755 });
      const kc = parseYaml(await readFile(fx.sim.kubeconfigPath, 'utf8')) as {
        users: { user: Record<string, unknown> }[];
      };
      kc.users[0]!.user = {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: plugin,
          interactiveMode: 'Never',
        },
      };
      const kcPath = join(fx.dir, 'exec-kubeconfig.yaml');
      await writeFile(kcPath, stringifyYaml(kc));
      const p = fx.start(['-c', kcPath, '-n', 'analytics']);
      const pid = await eventually(
        async () => Number(await readFile(pidFile, 'utf8').catch(() => '')) || false,
      );
      try {
        expect(alive(pid)).toBe(true);
        p.kill('SIGINT');
        expect((await p.exited).code).toBe(130);
        await eventually(async () => !alive(pid), 5000);
      } finally {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('missing RBAC: names the permission, exit 1, nothing changed', async () => {
      fx.sim.control.denyPermission({ verb: 'create', resource: 'pods/portforward', namespace: 'sandbox' });
      fx.sim.control.denyPermission({ verb: 'get', resource: 'pods/portforward', namespace: 'sandbox' });
      const r = await runCli(
        [
          '-c',
          fx.sim.kubeconfigPath,
          '--hosts-path',
          fx.hostsPath,
          '--api-listen',
          '127.0.0.1:0',
          '-z',
          fx.fwdConf,
          '-n',
          'sandbox',
        ],
        { env: fx.env },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /missing RBAC permission in namespace sandbox .*create pods\/portforward \(or get pods\/portforward\)/,
      );
      expect(await hostsText()).toBe(FOREIGN_HOSTS);
    });

    it('the API address already taken: clear error before anything changes', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      try {
        const r = await runCli(
          [
            '-c',
            fx.sim.kubeconfigPath,
            '--hosts-path',
            fx.hostsPath,
            '--api-listen',
            `127.0.0.1:${port}`,
            '-z',
            fx.fwdConf,
            '-n',
            'analytics',
          ],
          { env: fx.env },
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
        expect(await hostsText()).toBe(FOREIGN_HOSTS);
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    });

    it('a forward port already taken on its IP: the forward shows PORT_IN_USE naming ip:port, the others run', async () => {
      // In this run's random block (far above the two analytics services), so parallel runs differ.
      const ip = ipAt(IP_BASE, 206);
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(8080, ip, r));
      try {
        const p = fx.start(['-n', 'analytics', '-r', `reports:${ip}`]);
        await p.waitFor(new RegExp(`${ip.replace(/\./g, '\\.')}:8080 is already in use`), 40_000);
        // events (echo, 9000) still forwards.
        await eventually(async () => (await resolveName(fx.hostsPath, 'events')) !== undefined, 10_000);
        p.kill('SIGTERM');
        expect((await p.exited).code).toBe(0);
        expect(await hostsText()).toBe(FOREIGN_HOSTS);
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    });
  },
);
