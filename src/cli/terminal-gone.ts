// Node aborts at exit (SIGABRT, a native stack trace, a core) when the terminal it started on has
// been hung up: it puts the terminal's modes back and asserts that this works. kubefwd's terminal
// goes away under it when sudo's pty closes (the privileged helper killed), after kubefwd has
// already stopped cleanly. So at exit, a zero-length write asks each terminal output whether it is
// still there (EIO when it is not: nothing is written when it is), and a process whose terminal is
// gone ends with SIGKILL, skipping the step that would abort; its clean-up is done by then.
import { writeSync } from 'node:fs';

const terminalGone = (fd: number): boolean => {
  try {
    writeSync(fd, '');
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EIO';
  }
};

export const endWithoutTerminalReset = (proc: NodeJS.Process = process): void => {
  proc.on('exit', () => {
    const ttys = [proc.stdout, proc.stderr]
      .filter((s) => s.isTTY)
      .map((s) => (s as unknown as { fd: number }).fd);
    if (ttys.some(terminalGone)) proc.kill(proc.pid, 'SIGKILL');
  });
};
