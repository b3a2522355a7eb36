// Several kubefwd processes on one machine (issue 14 item 2): same IP base, separate hosts files,
// the same cluster or different clusters. Each ends up with addresses no other one uses, and every
// name in a hosts file reaches the cluster of the kubefwd that wrote it; a kubefwd pointed at a hosts
// file another live kubefwd manages refuses to start, saying so. Real `bin/kubefwd` processes.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBlocks, readBlock, splitLines } from '../../src/engine/hosts-block.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { cliEnv, isBuilt, startCli, type CliProcess } from '../e2e/cli-process.js';
import { randomIpBase } from '../support/addresses.js';

const built = isBuilt();
if (!built) console.warn('multi-process.test: skipped — run `npm run build` first (bin/kubefwd runs dist/)');

let dir: string;
let fwdConf: string;
const sims: SimCluster[] = [];
const procs: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubefwd-multi-'));
  fwdConf = join(dir, 'fwd.yml');
  await writeFile(fwdConf, `baseUnreservedIP: ${randomIpBase()}\n`);
  for (const name of ['a', 'b']) {
    await mkdir(join(dir, name));
    sims.push(await createSimCluster({ dir: join(dir, name), readyDelayMs: 10 }));
  }
}, 60_000);

afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  for (const s of sims) await s.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts kubefwd #N with its own HOME (home-N), or `sameHomeAs` another's (the same user). */
const start = async (
  sim: SimCluster,
  hosts: string,
  extra: string[] = [],
  sameHomeAs?: number,
): Promise<CliProcess> => {
  const hostsPath = join(dir, hosts);
  await writeFile(hostsPath, '127.0.0.1 localhost\n', { flag: 'a' });
  const home = join(dir, `home-${sameHomeAs ?? procs.length}`);
  if (sameHomeAs === undefined) await mkdir(home);
  const p = startCli(
    [
      'svc',
      '-n',
      'shop',
      '-c',
      sim.kubeconfigPath,
      '--hosts-path',
      hostsPath,
      '--api-listen',
      '127.0.0.1:0',
      '-z',
      fwdConf,
      ...extra,
    ],
    { env: cliEnv(home) },
  );
  procs.push(p);
  return p;
};

/** The block of process `p` in a hosts file: name → address. */
const namesOf = (hostsPath: string, p: CliProcess): Map<string, string> => {
  const text = readFileSync(join(dir, hostsPath), 'utf8');
  const id = findBlocks(splitLines(text)).find((b) => b.id.startsWith(`pid-${String(p.child.pid)}`))?.id;
  const out = new Map<string, string>();
  if (id === undefined) return out;
  for (const e of readBlock(text, id)) for (const h of e.hostnames) out.set(h, e.ip);
  return out;
};

const waitForNames = async (
  hostsPath: string,
  p: CliProcess,
  count: number,
): Promise<Map<string, string>> => {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const names = namesOf(hostsPath, p);
    const services = [...names.keys()].filter((n) => !n.includes('.') && !n.includes('-shop'));
    if (services.length >= count) return names;
    if (Date.now() > deadline)
      throw new Error(`kubefwd ${String(p.child.pid)} did not write its names:\n${p.stdout()}${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const podOf = (ip: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port: 8080, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve((JSON.parse(body) as { pod: string }).pod));
    });
    req.on('error', reject);
  });

describe.skipIf(!built)('several kubefwd processes on one machine', () => {
  it('take disjoint addresses and every name reaches its own kubefwd’s cluster', async () => {
    const [a, b] = sims as [SimCluster, SimCluster];
    const plan = [
      { sim: a, hosts: 'hosts-1' },
      { sim: b, hosts: 'hosts-2' },
      { sim: a, hosts: 'hosts-3' },
    ];
    const running: { sim: SimCluster; hosts: string; p: CliProcess; names: Map<string, string> }[] = [];
    for (const { sim, hosts } of plan) {
      const p = await start(sim, hosts);
      // One after another, so each sees the addresses of those before it taken (the clash to avoid).
      running.push({ sim, hosts, p, names: await waitForNames(hosts, p, 6) });
    }
    // A second kubefwd on a hosts file a live one manages refuses (a name both forward would reach
    // whichever cluster's block comes first), before anything changes, and says where to go instead.
    // The same user: the running one's discovery file says it serves its API, so it can be added to.
    const shared = await start(b, 'hosts-1', [], 0);
    const refused = await shared.exited;
    expect(refused.code).not.toBe(0);
    const said = refused.stdout + refused.stderr;
    expect(said).toContain(`another kubefwd (pid ${String(running[0]!.p.child.pid)}) is managing`);
    expect(said).toContain('`kubefwd tui` (f: namespaces, x: contexts)');
    expect(said).not.toMatch(/Version|HostFile management|Press \[Ctrl-C\]/);

    // Let every forward settle, then read the final blocks.
    await new Promise((r) => setTimeout(r, 1500));
    const final = running.map((r) => ({ ...r, names: namesOf(r.hosts, r.p) }));
    const owners = new Map<string, number>();
    final.forEach((r, i) => {
      for (const ip of new Set(r.names.values())) {
        expect(owners.get(ip), `${ip} is in the hosts files of kubefwd #${owners.get(ip)} and #${i}`).toBe(
          undefined,
        );
        owners.set(ip, i);
      }
    });
    for (const r of final) {
      const ip = r.names.get('api-gateway');
      expect(ip).toBeDefined();
      const pod = await podOf(ip!);
      for (const s of sims) {
        const pods = s.control.pods('shop').map((p) => p.metadata.name);
        if (s === r.sim) expect(pods).toContain(pod);
        else expect(pods).not.toContain(pod);
      }
    }
    for (const r of final)
      expect(r.p.stdout() + r.p.stderr()).not.toMatch(/already in use by another program/);

    // An address the user reserved does not move: it stays in Error, saying who holds it.
    const taken = final[0]!.names.get('redis')!;
    const reserving = await start(b, 'hosts-4', ['-r', `redis:${taken}`]);
    await reserving.waitFor(/reserved address \S+ is used by another kubefwd \(pid \d+\)/, 40_000);
  }, 180_000);
});
