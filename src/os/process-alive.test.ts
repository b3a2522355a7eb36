import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive, processStartTime } from './process-alive.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A /proc stand-in holding one stat line for `pid` (comm with a space and a parenthesis). */
const fakeProc = (pid: number, state: string, startTime: string): string => {
  const root = mkdtempSync(join(tmpdir(), 'kubefwd-proc-'));
  dirs.push(root);
  mkdirSync(join(root, String(pid)));
  const after = [
    '1',
    '1',
    '1',
    '0',
    '-1',
    '4194560',
    '0',
    '0',
    '0',
    '0',
    '0',
    '0',
    '0',
    '0',
    '20',
    '0',
    '1',
    '0',
  ];
  writeFileSync(
    join(root, String(pid), 'stat'),
    `${pid} (node (x) y) ${state} ${after.join(' ')} ${startTime} 100 200\n`,
  );
  return root;
};

describe('processAlive', () => {
  it('this process is alive, with its own start time; a dead pid is not', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(process.pid, processStartTime(process.pid))).toBe(true);
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await once(child, 'exit');
    expect(processAlive(pid)).toBe(false);
  });

  it('reads state and start time after the last parenthesis of the command name', () => {
    const root = fakeProc(process.pid, 'S', '123456');
    expect(processStartTime(process.pid, root)).toBe('123456');
    expect(processAlive(process.pid, '123456', root)).toBe(true);
    expect(processAlive(process.pid, undefined, root)).toBe(true);
  });

  it('a zombie is dead, and so is a later process that reused the pid', () => {
    expect(processAlive(process.pid, undefined, fakeProc(process.pid, 'Z', '1'))).toBe(false);
    expect(processAlive(process.pid, '999', fakeProc(process.pid, 'S', '123456'))).toBe(false);
  });

  it('without /proc, kill(pid, 0) decides and the start time cannot be checked', () => {
    const none = join(tmpdir(), 'kubefwd-no-proc-here');
    expect(processStartTime(process.pid, none)).toBeUndefined();
    expect(processAlive(process.pid, '999', none)).toBe(true);
  });
});
