// Shared by the installed-package and standalone-executable tests: a scratch directory (HOME, hosts
// file, an unrelated working directory), a PATH that has the usual tools but no Node (sudo's
// secure_path on a machine whose Node came from nvm; a GUI MCP host's minimal PATH), and the checks
// both run against a `kubefwd` command they did not start from the checkout.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { eventually, httpGet, resolveName } from '../e2e/net.js';

export interface Scratch {
  dir: string;
  home: string;
  /** A working directory with nothing of the checkout in it. */
  cwd: string;
  hostsPath: string;
  /** A directory with sh, readlink and friends and no node: PATH for "node is not on PATH". */
  noNodeBin: string;
  close(): Promise<void>;
}

const TOOLS = ['sh', 'readlink', 'cat', 'env', 'ls', 'uname', 'sed'];

export const createScratch = async (): Promise<Scratch> => {
  const dir = await mkdtemp(join(tmpdir(), 'kubefwd-install-'));
  await chmod(dir, 0o755);
  const home = join(dir, 'home');
  const cwd = join(dir, 'elsewhere');
  const noNodeBin = join(dir, 'no-node-bin');
  await Promise.all([mkdir(home), mkdir(cwd), mkdir(noNodeBin)]);
  for (const tool of TOOLS) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (found) await symlink(found, join(noNodeBin, tool));
  }
  const hostsPath = join(dir, 'hosts');
  await writeFile(hostsPath, '127.0.0.1 localhost\n');
  return { dir, home, cwd, hostsPath, noNodeBin, close: () => rm(dir, { recursive: true, force: true }) };
};

/** A 127.x base no other test file uses, different on every run (runs may overlap on one machine). */
export const randomIpBase = (): string =>
  `127.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}.1`;

export interface Demo {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `<command> demo` on the scratch hosts file; resolves once api-gateway answers through its forward. */
export const startDemo = async (
  command: string,
  args: readonly string[],
  s: Scratch,
  env: NodeJS.ProcessEnv,
): Promise<Demo> => {
  const fwdConf = join(s.dir, 'fwd.yml');
  await writeFile(fwdConf, `baseUnreservedIP: ${randomIpBase()}\n`);
  const child = spawn(
    command,
    [...args, 'demo', '--hosts-path', s.hostsPath, '--api-listen', '127.0.0.1:0', '-z', fwdConf],
    { cwd: s.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`demo exited ${child.exitCode}:\n${out}`);
      const ip = await resolveName(s.hostsPath, 'api-gateway');
      return (await httpGet(ip, 8080, '/', 'api-gateway')).status === 200;
    }, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- demo output:\n${out}`);
  }
  return { child, output: () => out, stop };
};

/** The forwarded request: api-gateway by the name and IP kubefwd wrote into the hosts file. */
export const forwardedRequest = async (s: Scratch): Promise<{ status: number; body: string }> =>
  httpGet(await resolveName(s.hostsPath, 'api-gateway'), 8080, '/', 'api-gateway');

/** Starts `<command> mcp` over stdio as an MCP host would, lists the tools and asks for the forwards. */
export const mcpSession = async (
  command: string,
  args: readonly string[],
  s: Scratch,
  env: Record<string, string>,
): Promise<{ tools: string[]; services: unknown }> => {
  const client = new Client({ name: 'install-test', version: '1' });
  await client.connect(
    new StdioClientTransport({ command, args: [...args, 'mcp'], env, cwd: s.cwd, stderr: 'ignore' }),
  );
  try {
    const { tools } = await client.listTools();
    const r = await client.callTool({ name: 'list_services', arguments: {} });
    return { tools: tools.map((t) => t.name), services: r.structuredContent };
  } finally {
    await client.close();
  }
};

export const packageVersion = async (root: string): Promise<string> =>
  (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;

export const TMUX = '/usr/bin/tmux';

/**
 * Runs `line` (a shell command line) in a tmux terminal of its own until the screen matches `want`,
 * presses q, and returns the screen and how the command exited.
 */
export const inTerminal = async (line: string, want: RegExp): Promise<{ screen: string; exit: string }> => {
  const socket = `kubefwd-install-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) =>
    spawnSync(TMUX, ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const started = tmux(
    'new-session',
    '-d',
    '-s',
    's',
    '-x',
    '160',
    '-y',
    '40',
    `${line}; echo EXIT=$?; sleep 30`,
  );
  if (started.status !== 0) throw new Error(`tmux: ${started.stderr}`);
  const screenUntil = async (re: RegExp): Promise<string> => {
    let screen = '';
    for (let i = 0; i < 400 && !re.test(screen); i++) {
      await new Promise((r) => setTimeout(r, 100));
      screen = tmux('capture-pane', '-p', '-t', 's').stdout;
    }
    return screen;
  };
  try {
    const screen = await screenUntil(want);
    tmux('send-keys', '-t', 's', 'q');
    const exit = /EXIT=(\d+)/.exec(await screenUntil(/EXIT=\d+/))?.[1] ?? 'none';
    return { screen, exit };
  } finally {
    tmux('kill-server');
  }
};
