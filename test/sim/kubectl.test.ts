// kubectl against `kubefwd sim` (runSimCommand in-process; kubectl is a real child process):
// get, watch seeing a deletion, logs, delete pod (replaced by the controller), and port-forward
// with curl through it over the tunnel and, with the tunnel switched off, over SPDY (fallback).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/commands/sim.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl)
  console.warn('kubectl not found on PATH: skipping the kubectl acceptance tests of the simulated cluster');

const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

function curl(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--noproxy', '*', '--max-time', '10', url]);
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`curl ${url} exited ${code}: ${err}`));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'kubefwd-sim-kubectl-'));
const abort = new AbortController();
let running: Promise<number> | undefined;
let info: { kubeconfig: string; apiUrl: string; controlUrl: string; token: string };
const children = new Set<ChildProcess>();

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  KUBECONFIG: info.kubeconfig,
  HOME: dir,
  KUBECACHEDIR: join(dir, 'cache'),
});

function kubectl(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, { env: { ...env(), ...extraEnv } });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A long-running kubectl; `output()` is what it printed so far. */
function kubectlBackground(args: string[], bin = 'kubectl'): { child: ChildProcess; output: () => string } {
  const child = spawn(bin, args, { env: env() });
  children.add(child);
  child.on('close', () => children.delete(child));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

interface Upgrades {
  tunnel: number;
  spdy: number;
  websocket: number;
  refused: number;
}

async function control(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ upgrades: Upgrades }> {
  const res = await fetch(info.controlUrl + path, {
    method,
    headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as { upgrades: Upgrades };
}

/** What kubectl prints for an unset field (creationTimestamp: null, status: {}) is not a field it sets. */
const withoutUnset = (o: unknown): object => {
  if (Array.isArray(o))
    return o.map((v: unknown) => (v !== null && typeof v === 'object' ? withoutUnset(v) : v));
  if (o === null || typeof o !== 'object') throw new Error(`not an object: ${String(o)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || (k === 'status' && JSON.stringify(v) === '{}')) continue;
    out[k] = typeof v === 'object' ? withoutUnset(v) : v;
  }
  return out;
};

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const get = (port: number, path: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });

beforeAll(async () => {
  if (!hasKubectl) return;
  let line = '';
  const ready = new Promise<void>((resolve) => {
    running = runSimCommand(
      ['--dir', dir, '--ready-delay', '20'],
      {
        stdout: {
          write: (s: string) => {
            line += s;
            if (line.includes('\n')) resolve();
          },
        },
        stderr: process.stderr,
      },
      abort.signal,
    );
  });
  await ready;
  info = JSON.parse(line) as typeof info;
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  abort.abort();
  if (running) expect(await running).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasKubectl)('kubectl against kubefwd sim', () => {
  it('prints one JSON line and writes DIR/kubeconfig', () => {
    expect(info.kubeconfig).toBe(join(dir, 'kubeconfig'));
    expect(info.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('get ns,svc,pods -A', async () => {
    const r = await kubectl(['get', 'ns,svc,pods', '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/namespace\/shop\s+Active/);
    expect(r.stdout).toMatch(/shop\s+service\/auth\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+443\/TCP/);
    expect(r.stdout).toMatch(/shop\s+service\/payments\s+ExternalName\s+<none>\s+payments\.example\.com/);
    expect(r.stdout).toMatch(/shop\s+pod\/kafka-2\s+1\/1\s+Running/);
    expect(r.stdout).toMatch(/analytics\s+pod\/reports-/);
  });

  it('get pods -w sees a deletion; delete pod is replaced by the controller; logs', async () => {
    const before = (
      await kubectl(['-n', 'shop', 'get', 'pods', '-l', 'app=api-gateway', '-o', 'name'])
    ).stdout
      .trim()
      .split('\n');
    expect(before).toHaveLength(2);
    const victim = before[0]!.replace('pod/', '');
    const watch = kubectlBackground(['-n', 'shop', 'get', 'pods', '-w']);
    await eventually(() => expect(watch.output()).toContain(victim));
    const del = await kubectl(['-n', 'shop', 'delete', 'pod', victim]);
    expect(del.stdout).toContain(`pod "${victim}" deleted`);
    await eventually(() => expect(watch.output()).toMatch(new RegExp(`${victim}\\s+\\S+\\s+Terminating`)));
    watch.child.kill('SIGINT');
    const after = await eventually(async () => {
      const names = (
        await kubectl(['-n', 'shop', 'get', 'pods', '-l', 'app=api-gateway', '-o', 'name'])
      ).stdout
        .trim()
        .split('\n');
      expect(names).toHaveLength(2);
      expect(names).not.toContain(`pod/${victim}`);
      return names;
    });
    const logs = await kubectl(['-n', 'shop', 'logs', after[0]!, '--tail=5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('listening on :8080');
  });

  it('create -f an ordinary manifest, scale it, apply it again', async () => {
    const manifest = join(dir, 'nginx.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: nginx, namespace: sandbox }
spec:
  replicas: 1
  selector: { matchLabels: { app: nginx } }
  template:
    metadata: { labels: { app: nginx } }
    spec:
      containers: [{ name: nginx, image: nginx:1.27, ports: [{ containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: nginx, namespace: sandbox }
spec:
  selector: { app: nginx }
  ports: [{ port: 80 }]
`,
    );
    const created = await kubectl(['create', '-f', manifest]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('deployment.apps/nginx created');
    expect((await kubectl(['-n', 'sandbox', 'scale', 'deploy/nginx', '--replicas=2'])).stdout).toContain(
      'scaled',
    );
    await eventually(async () => {
      const r = await kubectl(['-n', 'sandbox', 'get', 'pods', '-l', 'app=nginx', '--no-headers']);
      expect(
        r.stdout
          .trim()
          .split('\n')
          .filter((l) => /1\/1\s+Running/.test(l)),
      ).toHaveLength(2);
    });
    const applied = await kubectl(['apply', '-f', manifest]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('deployment.apps/nginx configured');
  });

  it('create deployment|service|configmap|secret|namespace|serviceaccount, auth can-i and auth whoami (protobuf bodies) store what kubectl built; a NodePort service gets a node port', async () => {
    // kubectl's typed clients send these as protobuf; what they meant is what kubectl prints for the
    // same command with --dry-run=client, so every field of that must be on the stored object.
    const file = join(dir, 'key.txt');
    writeFileSync(file, 'line one\nline two\n');
    const commands: { create: string[]; get: string[] }[] = [
      { create: ['create', 'namespace', 'proto'], get: ['get', 'namespace', 'proto'] },
      {
        create: [
          '-n',
          'proto',
          'create',
          'deployment',
          'web',
          '--image=nginx:1.27',
          '--port=80',
          '--replicas=2',
        ],
        get: ['-n', 'proto', 'get', 'deployment', 'web'],
      },
      {
        create: [
          '-n',
          'proto',
          'create',
          'deployment',
          'idle',
          '--image=busybox',
          '--replicas=0',
          '--',
          'sleep',
          '3600',
        ],
        get: ['-n', 'proto', 'get', 'deployment', 'idle'],
      },
      {
        create: ['-n', 'proto', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443:8443'],
        get: ['-n', 'proto', 'get', 'service', 'web'],
      },
      {
        create: ['-n', 'proto', 'create', 'service', 'nodeport', 'edge', '--tcp=5678:8080'],
        get: ['-n', 'proto', 'get', 'service', 'edge'],
      },
      {
        create: ['-n', 'proto', 'create', 'service', 'externalname', 'ext', '--external-name=db.example.com'],
        get: ['-n', 'proto', 'get', 'service', 'ext'],
      },
      {
        create: [
          '-n',
          'proto',
          'create',
          'configmap',
          'settings',
          '--from-literal=mode=fast',
          `--from-file=${file}`,
        ],
        get: ['-n', 'proto', 'get', 'configmap', 'settings'],
      },
      {
        create: ['-n', 'proto', 'create', 'secret', 'generic', 'creds', '--from-literal=password=s3cr3t'],
        get: ['-n', 'proto', 'get', 'secret', 'creds'],
      },
      {
        create: ['-n', 'proto', 'create', 'serviceaccount', 'builder'],
        get: ['-n', 'proto', 'get', 'serviceaccount', 'builder'],
      },
    ];
    for (const { create, get } of commands) {
      const end = create.includes('--') ? create.indexOf('--') : create.length;
      const meant = await kubectl([
        ...create.slice(0, end),
        '--dry-run=client',
        '-o',
        'json',
        ...create.slice(end),
      ]);
      expect(meant.code, meant.stderr).toBe(0);
      const made = await kubectl(create);
      expect(made.stderr, create.join(' ')).toBe('');
      expect(made.code).toBe(0);
      const stored = await kubectl([...get, '-o', 'json']);
      expect(JSON.parse(stored.stdout), create.join(' ')).toMatchObject(
        withoutUnset(JSON.parse(meant.stdout)),
      );
    }
    const web = await kubectl([
      '-n',
      'proto',
      'get',
      'service',
      'web',
      '-o',
      'jsonpath={.spec.ports[*].targetPort}',
    ]);
    expect(web.stdout).toBe('8080 8443');
    // A NodePort service gets a node port, as from the API server, and keeps it across updates.
    const edge = await kubectl(['-n', 'proto', 'get', 'service', 'edge', '--no-headers']);
    const nodePort = Number(/5678:(\d+)\/TCP/.exec(edge.stdout)?.[1]);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    expect((await kubectl(['-n', 'proto', 'label', 'service', 'edge', 'tier=front'])).code).toBe(0);
    expect(
      (await kubectl(['-n', 'proto', 'get', 'service', 'edge', '-o', 'jsonpath={.spec.ports[0].nodePort}']))
        .stdout,
    ).toBe(String(nodePort));
    await eventually(async () => {
      const pods = await kubectl(['-n', 'proto', 'get', 'pods', '-l', 'app=web', '--no-headers']);
      expect(
        pods.stdout
          .trim()
          .split('\n')
          .filter((l) => /1\/1\s+Running/.test(l)),
      ).toHaveLength(2);
    });
    expect((await kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'proto'])).stdout).toBe('yes\n');
    const whoami = await kubectl(['auth', 'whoami']);
    expect(whoami.stderr).toBe('');
    expect(whoami.stdout).toMatch(/^Username\s+sim-admin$/m);
    expect(whoami.stdout).toMatch(/^Groups\s+\[system:masters system:authenticated\]$/m);
  });

  it('create --dry-run=server answers what would be stored, stores nothing, and refuses a name that exists', async () => {
    const dry = await kubectl([
      '-n',
      'sandbox',
      'create',
      'deployment',
      'preview',
      '--image=nginx',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const shown = JSON.parse(dry.stdout) as { metadata: { uid?: string; creationTimestamp?: string } };
    expect(shown.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(shown.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const after = await kubectl(['-n', 'sandbox', 'get', 'deployment', 'preview']);
    expect(after.stderr).toContain('NotFound');
    const taken = await kubectl([
      '-n',
      'shop',
      'create',
      'deployment',
      'api-gateway',
      '--image=x',
      '--dry-run=server',
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      'error: failed to create deployment: deployments.apps "api-gateway" already exists\n',
    );
  });

  it("apply --server-side creates, merges, removes what this manager no longer applies, and keeps other managers' fields", async () => {
    const manifest = join(dir, 'ssa.yaml');
    const write = (labels: string, data: string) =>
      writeFileSync(
        manifest,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ssa, namespace: sandbox, labels: { ${labels} } }\ndata: { ${data} }\n`,
      );
    const get = async () =>
      JSON.parse((await kubectl(['-n', 'sandbox', 'get', 'configmap', 'ssa', '-o', 'json'])).stdout) as {
        data: Record<string, string>;
        metadata: { labels: Record<string, string> };
      };
    write('app: demo, tier: "web"', 'a: "1", b: "2"');
    const created = await kubectl(['apply', '--server-side', '-f', manifest]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('configmap/ssa serverside-applied\n');
    expect((await kubectl(['-n', 'sandbox', 'label', 'configmap', 'ssa', 'owner=someone-else'])).code).toBe(
      0,
    );
    write('app: demo', 'a: "3"');
    const dry = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', manifest]);
    expect(dry.code, dry.stderr).toBe(0);
    expect((await get()).data).toEqual({ a: '1', b: '2' });
    expect((await kubectl(['apply', '--server-side', '-f', manifest])).code).toBe(0);
    const applied = await get();
    expect(applied.data).toEqual({ a: '3' });
    expect(applied.metadata.labels).toEqual({ app: 'demo', owner: 'someone-else' });
  });

  it('--dry-run=server changes nothing: delete -l, label, scale', async () => {
    const pods = async () =>
      (await kubectl(['-n', 'shop', 'get', 'pods', '-l', 'app=api-gateway', '-o', 'name'])).stdout;
    const before = await pods();
    const deleted = await kubectl([
      '-n',
      'shop',
      'delete',
      'pods',
      '-l',
      'app=api-gateway',
      '--dry-run=server',
    ]);
    expect(deleted.stdout).toContain('deleted (server dry run)');
    expect((await kubectl(['-n', 'shop', 'delete', 'service', 'auth', '--dry-run=server'])).code).toBe(0);
    const labelled = await kubectl([
      '-n',
      'shop',
      'label',
      'service',
      'auth',
      'x=y',
      '--dry-run=server',
      '-o',
      'jsonpath={.metadata.labels.x}',
    ]);
    expect(labelled.stdout).toBe('y');
    const scaled = await kubectl([
      '-n',
      'shop',
      'scale',
      'deployment',
      'api-gateway',
      '--replicas=5',
      '--dry-run=server',
    ]);
    expect(scaled.stdout).toContain('scaled (server dry run)');
    await new Promise((r) => setTimeout(r, 200));
    expect(await pods()).toBe(before);
    const auth = await kubectl(['-n', 'shop', 'get', 'service', 'auth', '-o', 'json']);
    expect(auth.code).toBe(0);
    expect(
      (JSON.parse(auth.stdout) as { metadata: { labels?: Record<string, string> } }).metadata.labels?.x,
    ).toBeUndefined();
    expect(
      (await kubectl(['-n', 'shop', 'get', 'deployment', 'api-gateway', '-o', 'jsonpath={.spec.replicas}']))
        .stdout,
    ).toBe('2');
  });

  it('set image, a strategic patch and edit merge lists by key, as the API server does', async () => {
    const manifest = join(dir, 'web.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: sandbox }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: nginx:1.25, ports: [{ name: http, containerPort: 8081 }] }
        - { name: sidecar, image: busybox:1, env: [{ name: A, value: '1' }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: sandbox }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }, { name: metrics, port: 9100 }]
`,
    );
    expect((await kubectl(['apply', '-f', manifest])).code).toBe(0);
    const template = async (): Promise<{ containers: Record<string, unknown>[] }> =>
      JSON.parse(
        (await kubectl(['-n', 'sandbox', 'get', 'deploy/web', '-o', 'jsonpath={.spec.template.spec}']))
          .stdout,
      ) as { containers: Record<string, unknown>[] };

    const set = await kubectl(['-n', 'sandbox', 'set', 'image', 'deploy/web', 'web=nginx:1.26']);
    expect(set.stdout).toContain('deployment.apps/web image updated');
    const patch = await kubectl([
      '-n',
      'sandbox',
      'patch',
      'deploy/web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","env":[{"name":"B","value":"2"}]}]}}}}',
    ]);
    expect(patch.code).toBe(0);
    expect((await template()).containers).toMatchObject([
      { name: 'web', image: 'nginx:1.26', ports: [{ name: 'http', containerPort: 8081 }] },
      {
        name: 'sidecar',
        image: 'busybox:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ]);

    // kubectl edit sends the difference: the changed port keyed by `port`, the old one `$patch: delete`.
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/port: 9100$/port: 9200/' "$1"\n`, { mode: 0o755 });
    const edit = await kubectl(['-n', 'sandbox', 'edit', 'svc/web'], { EDITOR: editor, KUBE_EDITOR: editor });
    expect(edit.stderr).toBe('');
    expect(edit.stdout).toContain('service/web edited');
    const ports = await kubectl(['-n', 'sandbox', 'get', 'svc/web', '-o', 'jsonpath={.spec.ports[*].port}']);
    expect(ports.stdout).toBe('80 9200');
  });

  it('rollout history, undo, pause and resume: each template a revision, old ReplicaSets kept at 0', async () => {
    const manifest = join(dir, 'shopfront.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: shopfront, namespace: sandbox }
spec:
  replicas: 2
  selector: { matchLabels: { app: shopfront } }
  template:
    metadata: { labels: { app: shopfront } }
    spec:
      containers: [{ name: web, image: nginx:1.25, ports: [{ containerPort: 8080 }] }]
`,
    );
    const ns = ['-n', 'sandbox'];
    const image = async (): Promise<string> =>
      (
        await kubectl([
          ...ns,
          'get',
          'deploy/shopfront',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].image}',
        ])
      ).stdout;
    expect((await kubectl(['apply', '-f', manifest])).code).toBe(0);
    expect((await kubectl([...ns, 'rollout', 'status', 'deploy/shopfront', '--timeout=20s'])).code).toBe(0);
    expect((await kubectl([...ns, 'set', 'image', 'deploy/shopfront', 'web=nginx:1.26'])).code).toBe(0);
    const status = await kubectl([...ns, 'rollout', 'status', 'deploy/shopfront', '--timeout=20s']);
    expect(status.stdout).toContain('deployment "shopfront" successfully rolled out');
    const history = await kubectl([...ns, 'rollout', 'history', 'deploy/shopfront']);
    expect(history.stdout).toMatch(/^1\s+<none>$/m);
    expect(history.stdout).toMatch(/^2\s+<none>$/m);
    const rs = await kubectl([...ns, 'get', 'rs', '-l', 'app=shopfront', '--no-headers']);
    expect(
      rs.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).slice(1, 3).join(' '))
        .sort(),
    ).toEqual(['0 0', '2 2']);

    const describe = await kubectl([...ns, 'describe', 'deploy/shopfront']);
    expect(describe.stdout).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(describe.stdout).toMatch(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    const undo = await kubectl([...ns, 'rollout', 'undo', 'deploy/shopfront']);
    expect(undo.stderr).toBe('');
    expect(undo.stdout).toContain('deployment.apps/shopfront rolled back');
    expect(await image()).toBe('nginx:1.25');
    expect((await kubectl([...ns, 'rollout', 'status', 'deploy/shopfront', '--timeout=20s'])).code).toBe(0);
    const after = await kubectl([...ns, 'rollout', 'history', 'deploy/shopfront']);
    expect(after.stdout).toMatch(/^2\s+<none>$/m);
    expect(after.stdout).toMatch(/^3\s+<none>$/m);
    expect(after.stdout).not.toMatch(/^1\s/m);
    expect((await kubectl([...ns, 'rollout', 'undo', 'deploy/shopfront', '--to-revision=2'])).code).toBe(0);
    expect(await image()).toBe('nginx:1.26');

    // Paused, a new template rolls nothing out until resume.
    const podImages = async (): Promise<string> =>
      (
        await kubectl([
          ...ns,
          'get',
          'pods',
          '-l',
          'app=shopfront',
          '--field-selector',
          'status.phase=Running',
          '-o',
          'jsonpath={.items[*].spec.containers[0].image}',
        ])
      ).stdout;
    expect((await kubectl([...ns, 'rollout', 'status', 'deploy/shopfront', '--timeout=20s'])).code).toBe(0);
    expect((await kubectl([...ns, 'rollout', 'pause', 'deploy/shopfront'])).code).toBe(0);
    expect((await kubectl([...ns, 'set', 'image', 'deploy/shopfront', 'web=nginx:1.27'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const rsImages = await kubectl([
      ...ns,
      'get',
      'rs',
      '-l',
      'app=shopfront',
      '-o',
      'jsonpath={.items[*].spec.template.spec.containers[0].image}',
    ]);
    expect(rsImages.stdout.split(' ').sort()).toEqual(['nginx:1.25', 'nginx:1.26']);
    expect((await kubectl([...ns, 'rollout', 'resume', 'deploy/shopfront'])).code).toBe(0);
    expect((await kubectl([...ns, 'rollout', 'status', 'deploy/shopfront', '--timeout=20s'])).code).toBe(0);
    await eventually(async () => expect(await podImages()).toBe('nginx:1.27 nginx:1.27'));
  });

  it('StatefulSet: defaults, rollout status, and rollout restart replacing its pods', async () => {
    const manifest = join(dir, 'mongo.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: mongo, namespace: sandbox }
spec:
  serviceName: mongo
  replicas: 2
  selector: { matchLabels: { app: mongo } }
  template:
    metadata: { labels: { app: mongo } }
    spec:
      containers: [{ name: mongo, image: mongo:7, ports: [{ containerPort: 27017 }] }]
`,
    );
    const ns = ['-n', 'sandbox'];
    expect((await kubectl(['apply', '-f', manifest])).code).toBe(0);
    const strategy = await kubectl([...ns, 'get', 'sts/mongo', '-o', 'jsonpath={.spec.updateStrategy}']);
    expect(JSON.parse(strategy.stdout)).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    const first = await kubectl([...ns, 'rollout', 'status', 'sts/mongo', '--timeout=20s']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('partitioned roll out complete: 2 new pods have been updated...');
    const uids = async (): Promise<string[]> =>
      (
        await kubectl([...ns, 'get', 'pods', '-l', 'app=mongo', '-o', 'jsonpath={.items[*].metadata.uid}'])
      ).stdout.split(' ');
    const before = await uids();
    expect(before).toHaveLength(2);
    expect((await kubectl([...ns, 'rollout', 'restart', 'sts/mongo'])).stdout).toContain(
      'statefulset.apps/mongo restarted',
    );
    const status = await kubectl([...ns, 'rollout', 'status', 'sts/mongo', '--timeout=20s']);
    expect(status.code).toBe(0);
    await eventually(async () => {
      const after = await uids();
      expect(after).toHaveLength(2);
      for (const uid of after) expect(before).not.toContain(uid);
    });
    const sts = await kubectl([
      ...ns,
      'get',
      'sts/mongo',
      '-o',
      'jsonpath={.status.currentRevision} {.status.updateRevision} {.status.updatedReplicas}',
    ]);
    const [current, update, updated] = sts.stdout.split(' ');
    expect(current).toBe(update);
    expect(updated).toBe('2');
  });

  it('a patch that changes nothing is no write: "patched (no change)", same resourceVersion', async () => {
    const ns = ['-n', 'shop'];
    const rv = async (): Promise<string> =>
      (await kubectl([...ns, 'get', 'svc/redis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
    const first = await kubectl([
      ...ns,
      'patch',
      'svc/redis',
      '-p',
      '{"metadata":{"labels":{"tier":"cache"}}}',
    ]);
    expect(first.stdout.trim()).toBe('service/redis patched');
    const before = await rv();
    const again = await kubectl([
      ...ns,
      'patch',
      'svc/redis',
      '-p',
      '{"metadata":{"labels":{"tier":"cache"}}}',
    ]);
    expect(again.stdout.trim()).toBe('service/redis patched (no change)');
    const merge = await kubectl([
      ...ns,
      'patch',
      'svc/redis',
      '--type=merge',
      '-p',
      '{"spec":{"type":"ClusterIP"}}',
    ]);
    expect(merge.stdout.trim()).toBe('service/redis patched (no change)');
    expect(await rv()).toBe(before);
  });

  it('kubectl diff and --dry-run=server change nothing', async () => {
    const ns = ['-n', 'shop'];
    const state = async (): Promise<string> =>
      (
        await kubectl([
          ...ns,
          'get',
          'deploy/redis',
          '-o',
          'jsonpath={.metadata.resourceVersion} {.spec.template.spec.containers[0].image} {.spec.replicas}',
        ])
      ).stdout;
    const before = await state();
    const live = await kubectl([...ns, 'get', 'deploy/redis', '-o', 'json']);
    const manifest = join(dir, 'redis.json');
    const obj = JSON.parse(live.stdout) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    obj.spec.template.spec.containers[0]!.image = 'redis:99';
    writeFileSync(manifest, JSON.stringify(obj));
    const diff = await kubectl(['diff', '-f', manifest]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^\+\s+- image: redis:99$/m);
    expect(diff.stdout).not.toMatch(/^[-+]\s+resourceVersion/m);
    const apply = await kubectl(['apply', '--dry-run=server', '-f', manifest]);
    expect(apply.stdout).toContain('deployment.apps/redis configured (server dry run)');
    const patch = await kubectl([
      ...ns,
      'patch',
      'deploy/redis',
      '--dry-run=server',
      '-p',
      '{"spec":{"replicas":5}}',
    ]);
    expect(patch.stdout).toContain('deployment.apps/redis patched');
    const del = await kubectl([...ns, 'delete', 'deploy/redis', '--dry-run=server']);
    expect(del.stdout).toContain('deployment.apps "redis" deleted (server dry run)');
    expect(await state()).toBe(before);
  });

  it('describe shows the defaults of a template and its pods (protocols, probe timings)', async () => {
    const manifest = join(dir, 'probed.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: probed, namespace: sandbox }
spec:
  selector: { matchLabels: { app: probed } }
  template:
    metadata: { labels: { app: probed } }
    spec:
      containers:
        - name: web
          image: nginx:1.25
          ports: [{ name: http, containerPort: 8081 }, { name: metrics, containerPort: 9100 }]
          readinessProbe: { httpGet: { path: /, port: http } }
`,
    );
    const ns = ['-n', 'sandbox'];
    expect((await kubectl(['apply', '-f', manifest])).code).toBe(0);
    expect((await kubectl([...ns, 'rollout', 'status', 'deploy/probed', '--timeout=20s'])).code).toBe(0);
    for (const what of ['deploy/probed', 'pods']) {
      const d = await kubectl([...ns, 'describe', what, ...(what === 'pods' ? ['-l', 'app=probed'] : [])]);
      expect(d.stdout).toMatch(/^\s+Ports:\s+8081\/TCP, 9100\/TCP$/m);
      expect(d.stdout).toMatch(
        /^\s+Readiness:\s+http-get http:\/\/:http\/ delay=0s timeout=1s period=10s #success=1 #failure=3$/m,
      );
    }
    const again = await kubectl(['apply', '-f', manifest]);
    expect(again.stdout).toContain('deployment.apps/probed unchanged');
    const gen = await kubectl([...ns, 'get', 'deploy/probed', '-o', 'jsonpath={.metadata.generation}']);
    expect(gen.stdout).toBe('1');
  });

  it('get -o wide shows the wide columns; get nodes shows status, roles and version', async () => {
    const deploy = await kubectl(['-n', 'shop', 'get', 'deploy/api-gateway', '-o', 'wide']);
    expect(deploy.stdout).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m,
    );
    expect(deploy.stdout).toMatch(
      /^api-gateway\s+2\/2\s+2\s+2\s+\S+\s+api-gateway\s+\S+\s+app=api-gateway$/m,
    );
    const sts = await kubectl(['-n', 'shop', 'get', 'sts/kafka', '-o', 'wide']);
    expect(sts.stdout).toMatch(/^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES$/m);
    const rs = await kubectl(['-n', 'shop', 'get', 'rs', '-l', 'app=redis', '-o', 'wide']);
    expect(rs.stdout).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    const pods = await kubectl(['-n', 'shop', 'get', 'pod/kafka-0', '-o', 'wide']);
    expect(pods.stdout).toMatch(/\sNODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    expect(pods.stdout).toMatch(/\ssim-node\s+<none>\s+<none>$/m);
    const nodes = await kubectl(['get', 'nodes']);
    expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/m);
    expect(nodes.stdout).toMatch(/^sim-node\s+Ready\s+<none>\s+\S+\s+v1\.\d+/m);
  });

  it('describe svc names its endpoints (from EndpointSlices, as kubectl reads them); slices follow the pods and the service', async () => {
    const described = await kubectl(['-n', 'shop', 'describe', 'service', 'auth']);
    expect(described.stdout).toMatch(/^Endpoints:\s+10\.244\.\d+\.\d+:8443$/m);
    // Hand-written Endpoints (no selector) are mirrored into a slice too.
    expect((await kubectl(['-n', 'shop', 'describe', 'service', 'legacy-db'])).stdout).toMatch(
      /^Endpoints:\s+10\.244\.\d+\.\d+:5432$/m,
    );
    const ips = async (service: string) =>
      (
        await kubectl([
          '-n',
          'shop',
          'get',
          'endpointslices',
          '-l',
          `kubernetes.io/service-name=${service}`,
          '-o',
          'jsonpath={.items[*].endpoints[*].addresses[0]}',
        ])
      ).stdout
        .split(' ')
        .filter(Boolean);
    const podIps = async () =>
      (
        await kubectl([
          '-n',
          'shop',
          'get',
          'pods',
          '-l',
          'app=redis',
          '-o',
          'jsonpath={.items[*].status.podIP}',
        ])
      ).stdout
        .split(' ')
        .filter(Boolean)
        .sort();
    expect(await ips('redis')).toEqual(await podIps());
    expect((await kubectl(['-n', 'shop', 'scale', 'deployment', 'redis', '--replicas=2'])).code).toBe(0);
    await eventually(async () => {
      const now = await podIps();
      expect(now).toHaveLength(2);
      expect((await ips('redis')).sort()).toEqual(now);
    });
    // Scaled to 0: the service keeps one empty slice, as the EndpointSlice controller leaves it.
    expect((await kubectl(['-n', 'shop', 'scale', 'deployment', 'redis', '--replicas=0'])).code).toBe(0);
    await eventually(async () => {
      const slices = await kubectl([
        '-n',
        'shop',
        'get',
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=redis',
        '--no-headers',
      ]);
      expect(slices.stdout).toMatch(/^redis-\w+\s+IPv4\s+<unset>\s+<unset>\s+\S+\n$/);
    });
    expect((await kubectl(['-n', 'shop', 'scale', 'deployment', 'redis', '--replicas=1'])).code).toBe(0);
    expect((await kubectl(['-n', 'shop', 'delete', 'service', 'statsd'])).code).toBe(0);
    await eventually(async () => expect(await ips('statsd')).toEqual([]));
  });

  async function portForwardAndCurl(
    svc: string,
    remotePort: number,
    path: string,
    bin = 'kubectl',
  ): Promise<string> {
    const pf = kubectlBackground(['-n', 'shop', 'port-forward', `svc/${svc}`, `:${remotePort}`], bin);
    const local = await eventually(() => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output());
      if (!m) throw new Error(`no forwarding line yet: ${pf.output()}`);
      return Number(m[1]);
    });
    // Async: the simulated cluster runs in this process, so a blocking spawnSync would starve it.
    const body = hasCurl ? await curl(`http://127.0.0.1:${local}${path}`) : (await get(local, path)).body;
    pf.child.kill('SIGINT');
    return body;
  }

  it('port-forward svc/api-gateway with curl through it over the tunnel', async () => {
    const before = (await control('GET', '/counters')).upgrades;
    const body = await portForwardAndCurl('api-gateway', 8080, '/orders?size=1000');
    expect(JSON.parse(body)).toMatchObject({ namespace: 'shop', container: 'api-gateway', path: '/orders' });
    const after = (await control('GET', '/counters')).upgrades;
    expect(after.tunnel).toBe(before.tunnel + 1);
    expect(after.spdy).toBe(before.spdy);
  });

  it('falls back to SPDY when the tunnel is switched off (named targetPort auth:443 → 8443)', async () => {
    await control('POST', '/protocols', { tunnel: false });
    try {
      const before = (await control('GET', '/counters')).upgrades;
      const body = await portForwardAndCurl('auth', 443, '/login');
      expect(JSON.parse(body)).toMatchObject({ namespace: 'shop', container: 'auth', port: 8443 });
      const after = (await control('GET', '/counters')).upgrades;
      expect(after.refused).toBe(before.refused + 1);
      expect(after.spdy).toBe(before.spdy + 1);
      expect(after.tunnel).toBe(before.tunnel);
    } finally {
      await control('POST', '/protocols', { tunnel: true });
    }
  });

  const kubectl129 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';
  it.skipIf(!existsSync(kubectl129))('kubectl 1.29 (SPDY only, no tunnel) port-forwards too', async () => {
    const before = (await control('GET', '/counters')).upgrades;
    const body = await portForwardAndCurl('api-gateway', 8080, '/old-kubectl', kubectl129);
    expect(JSON.parse(body)).toMatchObject({ path: '/old-kubectl' });
    const after = (await control('GET', '/counters')).upgrades;
    expect(after.spdy).toBe(before.spdy + 1);
    expect(after.tunnel).toBe(before.tunnel);
    expect(after.refused).toBe(before.refused);
  });
});
