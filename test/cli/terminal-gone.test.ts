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

/**
 * Runs `js` in Node on a pty, hangs the pty up (or not), and returns how the child ended. No fixed
 * sleeps, so load cannot reorder the steps: the child says `ready` on its stdout once its handlers
 * are in place (a hang-up in its start-up kills it by SIGHUP, or aborts it before its stdout is a
 * TTY stream, as under load after a fixed 300 ms), the hang-up is done when close() returns, and
 * only then does SIGUSR2 tell the child to write and exit.
 */
const onTerminal = (js: string, hangUp: boolean): string => {
  const script = [
    'import os, pty, signal, sys',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    `    os.execv(sys.argv[1], [sys.argv[1], '--input-type=module', '-e', sys.argv[2]])`,
    "seen = b''",
    "while b'ready' not in seen:",
    '    try:',
    '        chunk = os.read(fd, 1024)',
    '    except OSError:',
    "        chunk = b''",
    '    if not chunk:',
    '        break',
    '    seen += chunk',
    hangUp ? 'os.close(fd)' : 'pass',
    'os.kill(pid, signal.SIGUSR2)',
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
  // Alive until SIGUSR2 (signal handlers alone would let it end at once); process.exit ends it.
  'setInterval(() => undefined, 60_000);',
  "process.on('SIGUSR2', () => { process.stdout.write('bye\\n'); setTimeout(() => process.exit(0), 50); });",
  "process.stdout.write('ready\\n');",
].join('\n');

describe.skipIf(!hasPython || !isBuilt())('exit after the terminal was hung up', () => {
  it('ends without the abort (by SIGKILL) when the terminal is gone', () => {
    expect(onTerminal(guardedExit, true)).toBe('signal 9');
  });
  it('exits with its code when the terminal is still there', () => {
    expect(onTerminal(guardedExit, false)).toBe('exit 0');
  });
});
