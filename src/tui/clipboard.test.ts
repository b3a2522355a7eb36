import { describe, expect, it } from 'vitest';
import { copyToClipboard, osc52, pickClipboardCommand, runClipboardCommand } from './clipboard.js';

describe('clipboard', () => {
  it('encodes OSC 52', () => {
    expect(osc52('api:8080')).toBe(`\x1b]52;c;${Buffer.from('api:8080').toString('base64')}\x07`);
  });

  it("picks the program in kubefwd's order", () => {
    const all = () => true;
    const only = (name: string) => (c: string) => c === name;
    expect(pickClipboardCommand('darwin', {}, all)?.command).toBe('pbcopy');
    expect(pickClipboardCommand('linux', { WAYLAND_DISPLAY: 'wayland-0' }, all)?.command).toBe('wl-copy');
    const x = { DISPLAY: ':0' };
    expect(pickClipboardCommand('linux', x, all)).toEqual({
      command: 'xclip',
      args: ['-selection', 'clipboard'],
    });
    expect(pickClipboardCommand('linux', x, only('xsel'))).toEqual({
      command: 'xsel',
      args: ['--clipboard', '--input'],
    });
    expect(pickClipboardCommand('linux', x, () => false)).toBeUndefined();
    // No display (SSH, a console): no program could own a selection; OSC 52 only.
    expect(pickClipboardCommand('linux', {}, all)).toBeUndefined();
  });

  it('a program that exits without reading its input is a failed copy, not a crash (EPIPE)', async () => {
    for (let i = 0; i < 3; i++)
      expect(await runClipboardCommand({ command: 'true', args: [] }, 'x'.repeat(1 << 20))).toBe(true);
    expect(await runClipboardCommand({ command: 'false', args: [] }, 'x'.repeat(1 << 20))).toBe(false);
  });

  it('writes OSC 52 to the terminal and runs the program found', async () => {
    const written: string[] = [];
    const ran: string[] = [];
    const ok = await copyToClipboard('db:5432', {
      writeTerminal: (s) => written.push(s),
      platform: 'linux',
      env: { PATH: '' },
      run: async (cmd, text) => (ran.push(`${cmd.command} ${text}`), true),
    });
    expect(ok).toBe(true);
    expect(written).toEqual([osc52('db:5432')]);
    expect(ran).toEqual([]); // nothing on an empty PATH
    expect(await copyToClipboard('x', { platform: 'linux', env: { PATH: '' } })).toBe(false);
  });
});
