import { chmodSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubefwdError } from '../../contract/errors.js';
import {
  createExecCredentialSource,
  parseExecCredential,
  planExecPlugin,
  runExecPlan,
  type ExecSpawnPlan,
} from './exec-plugin.js';

const dev = { uid: 1000, gid: 1001, name: 'dev', home: '/home/dev', sudo: true as const };

describe('planExecPlugin', () => {
  const exec = {
    command: 'gke-gcloud-auth-plugin',
    args: ['--flag'],
    env: [{ name: 'EXTRA', value: '1' }],
    apiVersion: 'client.authentication.k8s.io/v1',
    provideClusterInfo: true,
  };

  it('runs as the invoking user under sudo, with their HOME and identity', () => {
    const plan = planExecPlugin(exec, {
      env: { HOME: '/root', USER: 'root', PATH: '/usr/sbin:/usr/bin', XDG_CACHE_HOME: '/root/.cache' },
      invokingUser: dev,
      home: dev.home,
      cluster: { server: 'https://k:6443' },
      canExecute: (p) => p === '/home/dev/google-cloud-sdk/bin/gke-gcloud-auth-plugin',
      stdinIsTTY: false,
    });
    expect(plan.uid).toBe(1000);
    expect(plan.gid).toBe(1001);
    expect(plan.cwd).toBe('/home/dev');
    expect(plan.env.HOME).toBe('/home/dev');
    expect(plan.env.USER).toBe('dev');
    expect(plan.env.LOGNAME).toBe('dev');
    expect(plan.env.XDG_CACHE_HOME).toBeUndefined();
    expect(plan.env.EXTRA).toBe('1');
    // secure_path hid the user's bin dirs: the plugin is still found.
    expect(plan.command).toBe('/home/dev/google-cloud-sdk/bin/gke-gcloud-auth-plugin');
    expect(plan.args).toEqual(['--flag']);
    expect(plan.env.PATH?.startsWith('/usr/sbin:/usr/bin:')).toBe(true);
    expect(JSON.parse(plan.env.KUBERNETES_EXEC_INFO!)).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: { interactive: false, cluster: { server: 'https://k:6443' } },
    });
  });

  it('keeps the current identity when not under sudo', () => {
    const plan = planExecPlugin(
      { command: '/opt/p', provideClusterInfo: false },
      {
        env: { HOME: '/home/me', PATH: '/bin' },
        home: '/home/me',
        cluster: { server: 'https://k' },
        stdinIsTTY: false,
      },
    );
    expect(plan.uid).toBeUndefined();
    expect(plan.gid).toBeUndefined();
    expect(plan.cwd).toBeUndefined();
    expect(plan.env.HOME).toBe('/home/me');
    expect(plan.command).toBe('/opt/p');
    expect(JSON.parse(plan.env.KUBERNETES_EXEC_INFO!).spec).toEqual({ interactive: false });
  });

  it('interactive as client-go decides it: stdin a terminal and interactiveMode not Never', () => {
    const plan = (interactiveMode: string | undefined, stdinIsTTY: boolean) =>
      planExecPlugin(
        { command: '/opt/p', ...(interactiveMode ? { interactiveMode } : {}) },
        { env: {}, home: '/h', stdinIsTTY },
      );
    const spec = (p: ReturnType<typeof plan>) => JSON.parse(p.env.KUBERNETES_EXEC_INFO!).spec;
    expect(plan('IfAvailable', true).interactive).toBe(true);
    expect(spec(plan('IfAvailable', true))).toEqual({ interactive: true });
    expect(plan(undefined, true).interactive).toBe(true); // v1beta1's default is IfAvailable
    expect(plan('IfAvailable', false).interactive).toBe(false);
    expect(plan('Never', true).interactive).toBe(false);
    expect(spec(plan('Never', true))).toEqual({ interactive: false });
    expect(plan('Always', true).interactive).toBe(true);
    expect(() => plan('Always', false)).toThrow(/needs a terminal \(interactiveMode: Always\)/);
    expect(() => plan('Sometimes', true)).toThrow(/invalid interactiveMode "Sometimes"/);
  });

  it('leaves an unfound bare command as is (spawn reports it)', () => {
    const plan = planExecPlugin(
      { command: 'nope-plugin' },
      { env: { PATH: '/bin' }, home: '/h', canExecute: () => false },
    );
    expect(plan.command).toBe('nope-plugin');
  });
});

describe('parseExecCredential', () => {
  it('reads token, client cert/key and expiry', () => {
    const c = parseExecCredential(
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' },
      }),
      'p',
    );
    expect(c).toEqual({ token: 'tok', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    const cert = parseExecCredential(
      JSON.stringify({ status: { clientCertificateData: 'C', clientKeyData: 'K' } }),
      'p',
    );
    expect(cert).toEqual({ clientCertificateData: 'C', clientKeyData: 'K' });
  });

  it('rejects output that is not a usable ExecCredential', () => {
    expect(() => parseExecCredential('not json', 'p')).toThrow(/printed no valid JSON/);
    expect(() => parseExecCredential('{}', 'p')).toThrow(/without status/);
    expect(() => parseExecCredential('{"status":{}}', 'p')).toThrow(
      /neither a token nor a client certificate/,
    );
  });
});

describe('createExecCredentialSource', () => {
  const clock = (t: { now: number }) => ({
    now: () => t.now,
    setTimeout: () => ({ cancel: () => undefined }),
  });
  const plan: ExecSpawnPlan = { command: 'p', args: [], env: {} };

  it('caches until shortly before expiry, shares one run, and re-runs after invalidate', async () => {
    const t = { now: Date.parse('2030-01-01T00:00:00Z') };
    let runs = 0;
    const src = createExecCredentialSource({ command: 'p' }, () => plan, {
      clock: clock(t),
      run: async () => {
        runs += 1;
        return JSON.stringify({ status: { token: `t${runs}`, expirationTimestamp: '2030-01-01T00:01:00Z' } });
      },
    });
    const [a, b] = await Promise.all([src.get(), src.get()]);
    expect(a.token).toBe('t1');
    expect(b.token).toBe('t1');
    expect(runs).toBe(1);
    t.now += 45_000;
    expect((await src.get()).token).toBe('t1');
    t.now += 10_000; // within the 10 s skew of expiry
    expect((await src.get()).token).toBe('t2');
    src.invalidate();
    expect((await src.get()).token).toBe('t3');
  });

  it('caches a credential without expiry until invalidated', async () => {
    let runs = 0;
    const src = createExecCredentialSource({ command: 'p' }, () => plan, {
      clock: clock({ now: 0 }),
      run: async () => JSON.stringify({ status: { token: `t${++runs}` } }),
    });
    await src.get();
    await src.get();
    expect(runs).toBe(1);
  });

  it('explains a plugin that is not installed, with its install hint and the sudo PATH fix', async () => {
    const src = createExecCredentialSource(
      { command: 'kubelogin', installHint: 'brew install kubelogin' },
      () => plan,
      {
        clock: clock({ now: 0 }),
        run: () => Promise.reject(Object.assign(new Error('spawn kubelogin ENOENT'), { code: 'ENOENT' })),
      },
    );
    const err = await src.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubefwdError);
    expect((err as KubefwdError).code).toBe('AUTH_FAILED');
    expect((err as KubefwdError).message).toMatch(/exec credential plugin "kubelogin" was not found/);
    expect((err as KubefwdError).hint).toMatch(/brew install kubelogin/);
    expect((err as KubefwdError).hint).toMatch(/sudo -E env "PATH=\$PATH" kubefwd/);
  });
});

describe('runExecPlan (real process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubefwd-exec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a plugin with the planned env and returns its stdout', async () => {
    const script = join(dir, 'plugin.sh');
    writeFileSync(
      script,
      '#!/bin/sh\nprintf \'{"status":{"token":"%s-%s"}}\' "$HOME" "$(echo "$KUBERNETES_EXEC_INFO" | grep -c ExecCredential)"\n',
    );
    chmodSync(script, 0o755);
    const plan = planExecPlugin(
      { command: script },
      { env: { PATH: '/usr/bin:/bin', HOME: dir }, home: dir },
    );
    const out = await runExecPlan(plan, 10_000);
    expect(parseExecCredential(out, script).token).toBe(`${dir}-1`);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'really runs as the invoking user when root (here: nobody)',
    async () => {
      chmodSync(dir, 0o755);
      const script = join(dir, 'whoami.sh');
      writeFileSync(
        script,
        '#!/bin/sh\nprintf \'{"status":{"token":"%s:%s:%s"}}\' "$(id -u)" "$(id -g)" "$HOME"\n',
      );
      chmodSync(script, 0o755);
      const nobody = { uid: 65534, gid: 65534, name: 'nobody', home: '/nonexistent', sudo: true as const };
      const plan = planExecPlugin(
        { command: script },
        { env: { PATH: '/usr/bin:/bin', HOME: '/root' }, invokingUser: nobody, home: nobody.home },
      );
      const out = await runExecPlan(plan, 10_000);
      expect(parseExecCredential(out, script).token).toBe('65534:65534:/nonexistent');
    },
  );

  it('reports a failing plugin with its exit code and stderr, passed through as well', async () => {
    const script = join(dir, 'fail.sh');
    writeFileSync(script, '#!/bin/sh\necho "login required" >&2\nexit 3\n');
    chmodSync(script, 0o755);
    const seen: Buffer[] = [];
    const err = (await runExecPlan({ command: script, args: [], env: { PATH: '/usr/bin:/bin' } }, 10_000, {
      stderr: { write: (c: Buffer) => seen.push(c) },
    }).catch((e: unknown) => e)) as KubefwdError;
    expect(err.message).toMatch(/failed \(exit code 3\): login required/);
    expect(Buffer.concat(seen).toString()).toBe('login required\n');
    // The cluster was never contacted: the hint must not say it rejected anything.
    expect(err.hint).not.toMatch(/rejected/);
    expect(err.hint).toContain(script);
  });

  it('an interactive plugin gets our stdin; a non-interactive one none', async () => {
    const script = join(dir, 'stdin.sh');
    // Prints what its stdin is: /dev/null when ignored, else what we have.
    writeFileSync(script, '#!/bin/sh\nprintf \'{"status":{"token":"%s"}}\' "$(readlink /proc/self/fd/0)"\n');
    chmodSync(script, 0o755);
    const run = async (interactive: boolean) =>
      parseExecCredential(
        await runExecPlan({ command: script, args: [], env: { PATH: '/usr/bin:/bin' }, interactive }, 10_000),
        script,
      ).token;
    if (process.platform !== 'linux') return;
    expect(await run(false)).toBe('/dev/null');
    let ours = '';
    try {
      ours = readlinkSync('/proc/self/fd/0');
    } catch {
      return;
    }
    expect(await run(true)).toBe(ours);
  });
});
