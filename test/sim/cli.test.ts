// `kubefwd sim` argument handling (the command itself runs in kubectl.test.ts).
import { describe, expect, it } from 'vitest';
import { parseSimArgs, runSimCommand } from '../../src/cli/commands/sim.js';

describe('kubefwd sim arguments', () => {
  it('parses every flag', () => {
    const { options, files } = parseSimArgs([
      '--dir',
      'x',
      '-f',
      'a.yaml',
      '--filename=b.yaml',
      '--port',
      '6443',
      '--ready-delay',
      '5',
      '--no-tunnel',
      '--no-websocket',
    ]);
    expect(options).toMatchObject({
      port: 6443,
      readyDelayMs: 5,
      protocols: { tunnel: false, websocket: false },
      scenario: 'empty',
    });
    expect(options.dir).toMatch(/\/x$/);
    expect(files).toEqual(['a.yaml', 'b.yaml']);
  });

  it('takes a kubelet upstream and a FIN grace, refusing what is not http://HOST:PORT', () => {
    const { options } = parseSimArgs(['--kubelet-upstream', 'http://127.0.0.1:7000', '--fin-grace=1000']);
    expect(options).toMatchObject({ kubeletUpstream: 'http://127.0.0.1:7000', finGraceMs: 1000 });
    expect(() => parseSimArgs(['--kubelet-upstream', 'https://x'])).toThrow(/--kubelet-upstream/);
  });

  it('rejects bad input with a message naming it and exit code 2', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } };
    expect(await runSimCommand(['--port', 'abc'], io)).toBe(2);
    expect(err).toContain('--port: "abc"');
    err = '';
    expect(await runSimCommand(['--bogus'], io)).toBe(2);
    expect(err).toContain('unknown flag "--bogus"');
    err = '';
    expect(await runSimCommand(['-f', '/nonexistent/x.yaml'], io)).toBe(2);
    expect(err).toContain('cannot read -f /nonexistent/x.yaml');
  });
});
