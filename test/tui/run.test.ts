// runTui on fake terminal streams: it needs a TTY on stdin, takes over the alternate screen and
// gives it back, resolves on q and Ctrl+C, and closes when the caller's signal aborts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runTui } from '../../src/tui/index.js';
import { createFakeBackend, tick, until } from './support.js';

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 30;
  isTTY = true;
  out = '';
  write = (s: string): boolean => {
    this.out += s;
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  rawMode = false;
  private queue: string[] = [];
  setEncoding(): void {}
  setRawMode(on: boolean): void {
    this.rawMode = on;
  }
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  type(s: string): void {
    this.queue.push(s);
    this.emit('readable');
  }
}

const start = (signal?: AbortSignal) => {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const done = runTui(createFakeBackend(), {
    version: '1.2.3',
    theme: 'light',
    patchConsole: false,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    ...(signal ? { signal } : {}),
  });
  const ready = async () => {
    for (let i = 0; i < 400 && !stdin.rawMode; i++) await tick(5);
  };
  return { stdout, stdin, done, ready };
};

describe('runTui', () => {
  it('refuses to start without a terminal on stdin', async () => {
    const stdin = new FakeStdin();
    stdin.isTTY = false;
    await expect(
      runTui(createFakeBackend(), { version: 'x', stdin: stdin as unknown as NodeJS.ReadStream }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('interactive terminal'),
    });
  });

  it('q resolves it and the terminal is given back', async () => {
    const t = start();
    await t.ready();
    expect(t.stdout.out.startsWith('\x1b[?1049h')).toBe(true);
    await until(() => expect(t.stdout.out).toContain('kubefwd v1.2.3'));
    t.stdin.type('q');
    await t.done;
    expect(t.stdout.out.endsWith('\x1b[?1049l')).toBe(true);
    expect(t.stdin.rawMode).toBe(false);
  });

  it('Ctrl+C resolves it too', async () => {
    const t = start();
    await t.ready();
    t.stdin.type('\x03');
    await t.done;
    expect(t.stdout.out.endsWith('\x1b[?1049l')).toBe(true);
  });

  it('closes when the signal aborts (the daemon is shutting down)', async () => {
    const ac = new AbortController();
    const t = start(ac.signal);
    await t.ready();
    ac.abort();
    await t.done;
    expect(t.stdin.rawMode).toBe(false);
  });
});
