// A terminal hung up under kubefwd (sudo's pty closed when the privileged helper was killed): Node
// 20 aborts at exit restoring its modes (SIGABRT, a native stack; seen with Node 20.20 when this was
// written). Checked in a real pty (Python's pty module): with the guard the child ends by SIGKILL,
// quietly, and on a terminal that is still there it exits as it means to.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBuilt, repoRoot } from '../e2e/cli-process.js';

const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
if (!hasPython)
  console.warn('skipping the hung-up terminal test: python3 is not installed (.ci/run installs it)');

/** Runs `js` in Node on a pty, hangs the pty up after 300 ms (or not), and returns how the child ended. */
const onTerminal = (js: string, hangUp: boolean): string => {
  const script = [
    'import os, pty, sys, time',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    `    os.execv(sys.argv[1], [sys.argv[1], '--input-type=module', '-e', sys.argv[2]])`,
    'time.sleep(0.3)',
    hangUp ? 'os.close(fd)' : 'pass',
    '_, status = os.waitpid(pid, 0)',
    "print(('signal %d' % os.WTERMSIG(status)) if os.WIFSIGNALED(status) else ('exit %d' % os.WEXITSTATUS(status)))",
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, process.execPath, js], { encoding: 'utf8', timeout: 20_000 });
  return r.stdout.trim();
};

const guardedExit = [
  `const { endWithoutTerminalReset } = await import(${JSON.stringify(join(repoRoot, 'dist/src/cli/terminal-gone.js'))}); endWithoutTerminalReset();`,
  "process.on('SIGHUP', () => undefined);",
  "process.stdout.on('error', () => undefined);",
  "setTimeout(() => { process.stdout.write('bye\\n'); setTimeout(() => process.exit(0), 50); }, 1000);",
].join('\n');

describe.skipIf(!hasPython || !isBuilt())('exit after the terminal was hung up', () => {
  it('ends without the abort (by SIGKILL) when the terminal is gone', () => {
    expect(onTerminal(guardedExit, true)).toBe('signal 9');
  });
  it('exits with its code when the terminal is still there', () => {
    expect(onTerminal(guardedExit, false)).toBe('exit 0');
  });
});
