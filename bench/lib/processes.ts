// Child processes of the bench (simulated cluster, backends, our forwarder, kubectl) and how much
// CPU and memory each used, read from /proc so ours and kubectl are measured the same way.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

export interface ProcUsage {
  /** user + system CPU seconds so far. */
  cpuSeconds: number;
  /** Peak resident set size (VmHWM), MiB. */
  peakRssMiB: number;
}

const CLK_TCK = 100;

/** CPU and peak RSS of a live process (Linux /proc); undefined elsewhere. */
export function procUsage(pid: number | undefined): ProcUsage | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { cpuSeconds: (utime + stime) / CLK_TCK, peakRssMiB: hwm / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds of several processes together; undefined when there are none or one is gone. */
export function cpuOf(pids: readonly number[]): number | undefined {
  let sum = 0;
  for (const pid of pids) {
    const u = procUsage(pid);
    if (u === undefined) return undefined;
    sum += u.cpuSeconds;
  }
  return pids.length > 0 ? sum : undefined;
}

/** Forks a compiled bench module with IPC; resolves with the child once it sent its first message. */
export async function forkWithHello<T>(
  moduleUrl: URL,
  args: string[],
): Promise<{ child: ChildProcess; hello: T }> {
  const child = fork(moduleUrl, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [hello] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${moduleUrl.pathname} exited with ${String(code)} before it was ready`);
    }),
  ])) as [T];
  return { child, hello };
}

/** Stops a child and waits for it to exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(t);
}

/** Spawns a command and resolves once a stdout line matches; returns the match. */
export async function spawnUntil(
  cmd: string,
  args: string[],
  pattern: RegExp,
  count: number,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; matches: RegExpExecArray[] }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const matches: RegExpExecArray[] = [];
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${cmd} did not print ${String(pattern)} within ${timeoutMs} ms; output: ${out.slice(-500)}`,
        ),
      );
    }, timeoutMs);
    const onData = (c: Buffer): void => {
      out += c.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = pattern.exec(line);
        if (m) matches.push(m);
      }
      if (matches.length >= count) {
        clearTimeout(timer);
        resolve({ child, matches });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (matches.length < count) reject(new Error(`${cmd} exited with ${String(code)}: ${out.slice(-500)}`));
    });
  });
}
