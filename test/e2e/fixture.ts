// One simulated cluster + a temp HOME + a temp hosts file with foreign content, per test file.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimCluster, type SimCluster } from '../../src/sim/index.js';
import { cliEnv, startCli, type CliProcess } from './cli-process.js';

/** Foreign content with odd line endings, a BOM, a tab and no final newline: must survive byte for byte. */
export const FOREIGN_HOSTS =
  '\ufeff127.0.0.1\tlocalhost\r\n::1 ip6-localhost\n# a comment, CRLF next\r\n\r\n10.0.0.5 intranet.example   # trailing';

export interface Fixture {
  sim: SimCluster;
  dir: string;
  home: string;
  hostsPath: string;
  fwdConf: string;
  env: NodeJS.ProcessEnv;
  /** Starts kubefwd against the sim with the temp hosts file, API on a free port and the IP base. */
  start(args: string[], extraEnv?: NodeJS.ProcessEnv): CliProcess;
  /** Kills what is still running (SIGKILL) and puts the foreign hosts content back (after a failed test). */
  reset(): Promise<void>;
  /** Output of every kubefwd started so far (printed when a test fails). */
  output(): string;
  close(): Promise<void>;
}

export const createFixture = async (
  ipBase: string,
  simOptions: Parameters<typeof createSimCluster>[0] = {},
): Promise<Fixture> => {
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-e2e-'));
  await chmod(dir, 0o755);
  const home = join(dir, 'home');
  await mkdir(home);
  const hostsPath = join(dir, 'hosts');
  await writeFile(hostsPath, FOREIGN_HOSTS);
  const fwdConf = join(dir, 'fwd.yml');
  await writeFile(fwdConf, `baseUnreservedIP: ${ipBase}\n`);
  const sim = await createSimCluster({ dir: join(dir, 'sim'), readyDelayMs: 50, ...simOptions });
  const env = cliEnv(home);
  const procs: CliProcess[] = [];
  return {
    sim,
    dir,
    home,
    hostsPath,
    fwdConf,
    env,
    start(args, extraEnv = {}) {
      const p = startCli(
        [
          '-c',
          sim.kubeconfigPath,
          '--hosts-path',
          hostsPath,
          '--api-listen',
          '127.0.0.1:0',
          '-z',
          fwdConf,
          ...args,
        ],
        { env: { ...env, ...extraEnv } },
      );
      procs.push(p);
      return p;
    },
    async reset() {
      for (const p of procs) {
        p.kill('SIGKILL');
        await p.exited;
      }
      await writeFile(hostsPath, FOREIGN_HOSTS);
    },
    output() {
      return procs
        .map((p, i) => `--- kubefwd #${i} (pid ${String(p.child.pid)})\n${p.stdout()}${p.stderr()}`)
        .join('\n');
    },
    async close() {
      for (const p of procs) {
        p.kill('SIGKILL');
        await p.exited;
      }
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
