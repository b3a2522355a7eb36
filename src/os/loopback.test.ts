import { describe, expect, it } from 'vitest';
import { createLoopback, needsAlias } from './loopback.js';

describe('loopback aliases', () => {
  it('does nothing on Linux', async () => {
    const calls: string[][] = [];
    const lo = createLoopback({ platform: 'linux', exec: async (c, a) => (calls.push([c, ...a]), '') });
    await lo.ensure('127.1.27.1');
    await lo.release('127.1.27.1');
    expect(calls).toEqual([]);
  });

  it('does nothing on Windows, which routes all of 127.0.0.0/8 to the loopback interface', async () => {
    const calls: string[][] = [];
    const lo = createLoopback({ platform: 'win32', exec: async (c, a) => (calls.push([c, ...a]), '') });
    await lo.ensure('127.1.27.1');
    await lo.release('127.1.27.1');
    expect(calls).toEqual([]);
    expect(needsAlias('win32', '127.1.27.1')).toBe(false);
    expect(needsAlias('darwin', '127.1.27.1')).toBe(true);
    expect(needsAlias('darwin', '127.0.0.1')).toBe(false);
  });

  it('adds a macOS alias once and removes it with the last user', async () => {
    const calls: string[] = [];
    const lo = createLoopback({
      platform: 'darwin',
      exec: async (c, a) => {
        calls.push([c, ...a].join(' '));
        return 'lo0: flags=8049\n\tinet 127.0.0.1 netmask 0xff000000\n';
      },
    });
    await lo.ensure('127.1.27.1');
    await lo.ensure('127.1.27.1');
    await lo.release('127.1.27.1');
    expect(lo.held()).toEqual(['127.1.27.1']);
    await lo.release('127.1.27.1');
    expect(lo.held()).toEqual([]);
    expect(calls).toEqual([
      'ifconfig lo0',
      'ifconfig lo0 alias 127.1.27.1 up',
      'ifconfig lo0 -alias 127.1.27.1',
    ]);
  });

  it('reports a failed alias naming the address', async () => {
    const lo = createLoopback({
      platform: 'darwin',
      exec: async (_c, a) => {
        if (a.includes('alias')) throw new Error('Operation not permitted');
        return '';
      },
    });
    await expect(lo.ensure('127.1.27.9')).rejects.toMatchObject({
      message: expect.stringContaining('127.1.27.9'),
    });
  });
});
