// The RBAC preflight runs once per namespace: the daemon checks the namespaces of the command line
// before anything changes and hands the engine its plan, so the engine does not ask again (7 access
// reviews per namespace, not 14). A namespace added later through the API is still checked. The
// daemon also sets the heap up for forwarding (heap-tuning.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseFlags } from '../../src/cli/argv.js';
import {
  BOOL_LONG,
  BOOL_SHORT,
  VALUE_SHORT,
  buildSvcCommand,
  toDaemonConfig,
  type RawSvcOptions,
} from '../../src/cli/svc-options.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { MAX_GROWING_PERCENT, MIN_GROWING_PERCENT } from '../../src/daemon/heap-tuning.js';
import { REQUIRED_PERMISSIONS } from '../../src/kube/access.js';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { randomIpBase } from '../support/addresses.js';

const silent = { write: () => true };

describe('daemon start-up', () => {
  let sim: SimCluster;
  let dir: string;
  let daemon: RunningDaemon | undefined;

  beforeAll(async () => {
    sim = await createSimCluster({ readyDelayMs: 10 });
    dir = await mkdtemp(join(tmpdir(), 'kubefwd-preflight-'));
  });
  afterAll(async () => {
    await daemon?.stop();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const svcConfig = async (): Promise<Awaited<ReturnType<typeof toDaemonConfig>>> => {
    const hostsPath = join(dir, 'hosts');
    const fwdConf = join(dir, 'fwd.yml');
    await writeFile(hostsPath, '127.0.0.1 localhost\n');
    await writeFile(fwdConf, `baseUnreservedIP: ${randomIpBase()}\n`);
    const argv = ['-n', 'shop', '-c', sim.kubeconfigPath, '-z', fwdConf, '--hosts-path', hostsPath];
    const cmd = buildSvcCommand();
    cmd.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    cmd.parse(normaliseFlags(argv, { boolLong: BOOL_LONG, boolShort: BOOL_SHORT, valueShort: VALUE_SHORT }), {
      from: 'user',
    });
    const config = await toDaemonConfig(
      cmd.opts<RawSvcOptions>(),
      (o) => cmd.getOptionValueSource(o) === 'cli',
      {
        version: '0.0.0-test',
        env: { HOME: dir },
        root: false,
      },
    );
    return config;
  };

  it('asks the API server for access once per namespace', async () => {
    const config = await svcConfig();
    const before = sim.control.accessReviews();
    const flags: string[] = [];
    daemon = await startDaemon(
      config,
      { stdout: silent, stderr: silent },
      { setV8Flags: (f) => flags.push(f) },
    );
    // The forwarding heap setting (src/daemon/heap-tuning.ts) is applied by the daemon itself.
    // (Full collections during the start may set it again: only the first is judged.)
    const percent = Number(/^--heap-growing-percent=(\d+)$/.exec(flags[0] ?? '')?.[1]);
    expect(percent).toBeGreaterThanOrEqual(MIN_GROWING_PERCENT);
    expect(percent).toBeLessThanOrEqual(MAX_GROWING_PERCENT);
    expect(sim.control.accessReviews() - before).toBe(REQUIRED_PERMISSIONS.length);

    // A namespace added later (as the REST API does) is checked by the engine itself.
    await daemon.composed.engine.addNamespace({ namespace: 'analytics' });
    expect(sim.control.accessReviews() - before).toBe(2 * REQUIRED_PERMISSIONS.length);
  });
});
