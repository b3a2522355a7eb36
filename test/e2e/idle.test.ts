// Idle mode (`kubefwd` with no namespace): the API is on, nothing is forwarded until a namespace is
// added through it; `kubefwd sim` and `kubefwd tui` dispatch; `version quiet`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, isBuilt, runCli, startCli } from './cli-process.js';
import { createFixture, FOREIGN_HOSTS, type Fixture } from './fixture.js';
import { eventually, hasBlock, httpGet, resolveName } from './net.js';
import { randomIpBase } from '../support/addresses.js';

const IP_BASE = randomIpBase();
let fx: Fixture;

describe.skipIf(!isBuilt())('idle mode and the other commands (real process)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    fx = await createFixture(IP_BASE);
  }, 30_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.log(fx.output().replace(/^[ |].*\n/gm, ''));
      await fx.reset();
    }
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('starts idle with the API on; a namespace added through the API is forwarded', async () => {
    const p = fx.start([]);
    await p.waitFor(/Starting in idle mode - API enabled, waiting for namespaces\/services via API/);
    // Who expected kubectl's habit (the context's namespace without -n) is told the command.
    await p.waitFor(
      /To forward namespace \S+ of context \S+: .* run kubefwd svc -n \S+ -c \S+ --hosts-path \S+/,
    );
    const m = await p.waitFor(/API server running at (http:\/\/127\.0\.0\.1:\d+)/);
    expect(hasBlock(await readFile(fx.hostsPath, 'utf8'))).toBe(false);
    const { key } = JSON.parse(await readFile(join(fx.home, '.kubefwd', 'api.json'), 'utf8')) as {
      key: string;
    };
    const unauth = await fetch(`${m[1]}/api/v1/namespaces`, { method: 'POST', body: '{}' });
    expect(unauth.status).toBe(401);
    const add = (namespace: string) =>
      fetch(`${m[1]}/api/v1/namespaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ namespace }),
      });
    // A namespace the cluster does not have: 404 naming it and its context, with the closest names.
    const missing = await add('analytcs');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: {
        code: 'NAMESPACE_NOT_FOUND',
        message: 'namespace "analytcs" does not exist in context sim (did you mean "analytics"?)',
        hint: expect.stringContaining('shop'),
      },
    });
    const res = await add('analytics');
    expect(res.status).toBeLessThan(300);
    await eventually(
      async () =>
        (await httpGet(await resolveName(fx.hostsPath, 'reports'), 8080, '/', 'reports')).status === 200,
      40_000,
    );
    p.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(await readFile(fx.hostsPath, 'utf8')).toBe(FOREIGN_HOSTS);
  });

  it('svc -n with a namespace the cluster does not have: the error names it, no banner before it', async () => {
    const p = fx.start(['-n', 'doesnotexist', '-n', 'shpo']);
    const r = await p.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespace "doesnotexist" does not exist in context sim');
    expect(r.stderr).toContain('The namespaces of sim:');
    expect(r.stdout).not.toContain('Version');
    expect(r.stdout + r.stderr).not.toContain('Watching services in namespace doesnotexist');
  });

  it('kubefwd tui without a running daemon says so', async () => {
    const r = await runCli(['tui'], { env: cliEnv(join(fx.dir, 'nobody-home')) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kubefwd is not running.*sudo -E kubefwd/);
    expect(r.stderr.match(/is not running/g)).toHaveLength(1);
  });

  it('kubefwd sim prints its kubeconfig line and stops on SIGTERM', async () => {
    const p = startCli(['sim', '--dir', join(fx.dir, 'sim2')], { env: fx.env });
    const m = await p.waitFor(/\{"kubeconfig":"([^"]+)"/);
    expect(m[1]).toBe(join(fx.dir, 'sim2', 'kubeconfig'));
    // The line is written just before the command installs its signal handlers; let it get there.
    await new Promise((r) => setTimeout(r, 300));
    p.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });

  it('version quiet', async () => {
    const r = await runCli(['version', 'quiet'], { env: fx.env });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
