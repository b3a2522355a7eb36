// Builds and starts test/spdystream/server (a kubelet-style port-forward server on moby/spdystream)
// for the tests and the bench's transport-kubelet section. Built in GOPATH mode from Debian's
// packages (golang-go, golang-github-docker-spdystream-dev; .ci/run installs them) into a per-user
// cache directory keyed by the source's hash, so parallel runs share one binary and nothing is
// built into the tree.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './repo-root.js';

const SOURCE_DIR = join(repoRoot, 'test', 'spdystream', 'server');
const GOPATH = '/usr/share/gocode';
const LIBRARY = join(GOPATH, 'src/github.com/moby/spdystream/connection.go');
const INSTALL_HINT = 'apt-get install golang-go golang-github-docker-spdystream-dev';

const goEnv = (cacheDir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  GOPATH,
  GO111MODULE: 'off',
  GOFLAGS: '',
  GOCACHE: join(cacheDir, 'gocache'),
});

/** Why the spdystream server cannot be built here, or undefined when it can. */
export function spdystreamUnavailable(): string | undefined {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error !== undefined || go.status !== 0) return `Go is not installed (${INSTALL_HINT})`;
  if (!existsSync(LIBRARY)) return `moby/spdystream is not in ${GOPATH} (${INSTALL_HINT})`;
  return undefined;
}

let built: string | undefined;

/** The server binary, built on first use (synchronously: a few seconds, once per source version). */
export function spdystreamBinary(): string {
  if (built !== undefined) return built;
  const source = readFileSync(join(SOURCE_DIR, 'main.go'));
  const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout;
  const hash = createHash('sha256').update(source).update(goVersion).digest('hex').slice(0, 16);
  const cacheDir = join(tmpdir(), `kubefwd-spdystream-${userInfo().uid}`);
  const bin = join(cacheDir, `server-${hash}`);
  if (!existsSync(bin)) {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    // Built under a unique name and renamed: a parallel run sees either no binary or a whole one.
    const tmp = `${bin}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const r = spawnSync('go', ['build', '-o', tmp, '.'], {
      cwd: SOURCE_DIR,
      env: goEnv(cacheDir),
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new Error(`building the spdystream server failed: ${r.stderr || String(r.error)}`);
    }
    renameSync(tmp, bin);
  }
  built = bin;
  return bin;
}

export interface SpdystreamServer {
  url: string;
  /** The server process (the bench counts its CPU as the far end's). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (random port); `args` are its flags, e.g. ['-fin-grace', '200ms']. */
export async function startSpdystreamServer(args: string[] = []): Promise<SpdystreamServer> {
  const child: ChildProcess = spawn(spdystreamBinary(), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.once('exit', (code) => reject(new Error(`spdystream server exited with ${String(code)}`)));
    child.once('error', reject);
  });
  return {
    url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end(); // it exits when stdin closes
      const t = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(t);
    },
  };
}
