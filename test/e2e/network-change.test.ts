// A laptop joins another network (a VPN comes up, another Wi-Fi): connections made before may be
// dead, so kubefwd proves them at once. Here the kernel changes the network, not a fake: kubefwd
// (`kubefwd demo`, its simulated cluster in-process) runs in a private network namespace (util-linux
// unshare; the machine's own network is not touched) and the test adds an interface with an
// address there, then takes the address away again. kubefwd must name the change, prove every
// port-forward connection (all of them answer: none is cut for nothing), and ignore what is no
// change of network (the veth's peer brings only an IPv6 link-local address).
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, isBuilt, startCli, type CliProcess } from './cli-process.js';

const run = promisify(execFile);

// Brings the namespace's loopback up (127.0.0.0/8 for the forwards), then runs node.
const NETNS = ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'];

const unavailable = ((): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (!isBuilt()) return 'not built (npm run build)';
  const probe = spawnSync(
    'unshare',
    ['--net', '--', 'sh', '-c', 'ip link set lo up && ip link add v0 type veth peer name v1'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error) return `unshare not available (${probe.error.message})`;
  if (probe.status !== 0) return `cannot make a veth pair in a new network namespace: ${probe.stderr.trim()}`;
  return spawnSync('nsenter', ['--version']).error ? 'nsenter not available' : undefined;
})();
if (unavailable !== undefined)
  console.warn(`skipping the network-change test: ${unavailable} (.ci/run installs what it needs)`);

describe.skipIf(unavailable !== undefined)('a change of network, made by the kernel', () => {
  let dir: string;
  let kubefwd: CliProcess;
  /** Runs `ip …` in kubefwd's network namespace. */
  const ip = (...args: string[]) =>
    run('nsenter', ['-t', String(kubefwd.child.pid), '-n', '--', 'ip', ...args], { timeout: 10_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubefwd-netns-'));
    const hostsPath = join(dir, 'hosts');
    writeFileSync(hostsPath, '127.0.0.1 localhost\n');
    mkdirSync(join(dir, 'home'));
    kubefwd = startCli(['demo', '--hosts-path', hostsPath], {
      env: cliEnv(join(dir, 'home')),
      launcher: NETNS,
    });
    // Every forward of the sample namespace on its pod (api-gateway, auth, kafka and its three
    // pods, legacy-db, postgres, redis).
    for (const until = Date.now() + 60_000; ;) {
      if ((kubefwd.stdout() + kubefwd.stderr()).match(/→ pod \S+ \(\w+\)/g)?.length === 9) break;
      if (Date.now() > until || kubefwd.child.exitCode !== null)
        throw new Error(`forwards not up:\n${kubefwd.stdout()}${kubefwd.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (kubefwd) {
      kubefwd.kill('SIGTERM');
      await kubefwd.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the new address, proves every connection and cuts none; and again when it goes', async () => {
    await ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    await ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    await ip('link', 'set', 'v0', 'up');
    await ip('link', 'set', 'v1', 'up');
    await kubefwd.waitFor(
      /the network changed: v0 192\.0\.2\.1 new: proving \d+ port-forward connections \(one per pod\) and watching the cluster again/,
      20_000,
    );
    await kubefwd.waitFor(/every port-forward connection answered \(\d+\)/, 20_000);

    await ip('addr', 'del', '192.0.2.1/24', 'dev', 'v0');
    await kubefwd.waitFor(/the network changed: v0 192\.0\.2\.1 gone: proving/, 20_000);
    const out = kubefwd.stdout() + kubefwd.stderr();
    // The peer's link-local address alone was never a change.
    expect(out).not.toMatch(/v1 fe80/);
    expect(out).not.toMatch(/lost connection|were dead|was dead/);
  }, 60_000);
});
