import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './backends.js';
import { classifyRedis, globToRegExp, parseRequest, RedisKeyspace } from './redis.js';

const run = promisify(execFile);
const cmd = (...args: string[]): Buffer[] => args.map((a) => Buffer.from(a));
const text = (r: { reply: Buffer }): string => r.reply.toString();

describe('RESP requests', () => {
  it('parses arrays of bulk strings across chunk boundaries, and inline commands', () => {
    const wire = Buffer.from('*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n');
    for (let cut = 0; cut < wire.length; cut++)
      expect(parseRequest(wire.subarray(0, cut), 0).kind).toBe('incomplete');
    const r = parseRequest(wire, 0);
    expect(r.kind === 'request' && r.args.map(String)).toEqual(['GET', 'hello']);
    const inline = parseRequest(Buffer.from('set  a b\r\n'), 0);
    expect(inline.kind === 'request' && inline.args.map(String)).toEqual(['set', 'a', 'b']);
    expect(parseRequest(Buffer.from('*x\r\n'), 0).kind).toBe('error');
  });

  it('classifies a RESP client, an inline command, and raw bytes (echoed)', () => {
    expect(classifyRedis(Buffer.from('*1\r\n$4\r\nPING\r\n'))).toBe('protocol');
    expect(classifyRedis(Buffer.from('*1'))).toBe('wait');
    expect(classifyRedis(Buffer.from('PING\r\n'))).toBe('protocol');
    expect(classifyRedis(Buffer.from('back again'))).toBe('echo');
    expect(classifyRedis(Buffer.from('*\x00\x01'))).toBe('echo');
  });

  it('matches KEYS globs as Redis does', () => {
    expect(globToRegExp('user:*').test('user:1')).toBe(true);
    expect(globToRegExp('h?llo').test('hallo')).toBe(true);
    expect(globToRegExp('h[ae]llo').test('hillo')).toBe(false);
    expect(globToRegExp('h[^e]llo').test('hallo')).toBe(true);
    expect(globToRegExp('a\\*').test('a*')).toBe(true);
  });
});

describe('Redis commands', () => {
  it('keeps keys in memory: SET/GET/EXISTS/DEL/KEYS/INCR, expiry, and Redis errors', () => {
    let now = 1000;
    const ks = new RedisKeyspace({ now: () => now });
    expect(text(ks.execute(cmd('PING')))).toBe('+PONG\r\n');
    expect(text(ks.execute(cmd('SET', 'greeting', 'hello')))).toBe('+OK\r\n');
    expect(text(ks.execute(cmd('get', 'greeting')))).toBe('$5\r\nhello\r\n');
    expect(text(ks.execute(cmd('GET', 'nope')))).toBe('$-1\r\n');
    expect(text(ks.execute(cmd('EXISTS', 'greeting', 'nope')))).toBe(':1\r\n');
    expect(text(ks.execute(cmd('SET', 'visits', '1', 'EX', '10')))).toBe('+OK\r\n');
    expect(text(ks.execute(cmd('INCR', 'visits')))).toBe(':2\r\n');
    expect(text(ks.execute(cmd('KEYS', '*')))).toBe('*2\r\n$8\r\ngreeting\r\n$6\r\nvisits\r\n');
    expect(text(ks.execute(cmd('TTL', 'visits')))).toBe(':10\r\n');
    now += 10_000;
    expect(text(ks.execute(cmd('GET', 'visits')))).toBe('$-1\r\n');
    expect(text(ks.execute(cmd('DEL', 'greeting', 'visits')))).toBe(':1\r\n');
    expect(text(ks.execute(cmd('GET')))).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(text(ks.execute(cmd('FROB', 'x')))).toBe(
      "-ERR unknown command 'frob', with args beginning with: 'x' \r\n",
    );
    expect(text(ks.execute(cmd('HELLO', '3')))).toMatch(/^-NOPROTO/);
    expect(text(ks.execute(cmd('COMMAND', 'DOCS')))).toBe('*0\r\n');
    expect(text(ks.execute(cmd('INFO', 'server')))).toContain('redis_version:');
    expect(ks.execute(cmd('QUIT')).quit).toBe(true);
  });
});

// The real client, from Debian's redis-tools, against the pod backend.
const redisCli = await run('redis-cli', ['--version']).then(
  () => true,
  () => false,
);
if (!redisCli)
  console.warn('skipping the redis-cli tests: redis-cli is not installed (apt-get install redis-tools)');

describe.skipIf(!redisCli)('redis backend with the real redis-cli', () => {
  let backend: RunningBackend;
  let port: number;
  const logs: string[] = [];
  beforeAll(async () => {
    backend = await startBackend(
      'redis',
      { namespace: 'shop', pod: 'redis-0', container: 'redis', log: (l) => logs.push(l) },
      [6379],
    );
    port = backend.target(6379)!.port;
  });
  afterAll(async () => backend.close());
  const cli = async (...args: string[]): Promise<string> =>
    (
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })
    ).stdout.trim();

  it('answers ping, set/get across connections, keys and info', async () => {
    expect(await cli('ping')).toBe('PONG');
    expect(await cli('set', 'cart:42', 'mug')).toBe('OK');
    expect(await cli('get', 'cart:42')).toBe('mug');
    expect(await cli('exists', 'cart:42')).toBe('1');
    expect(await cli('keys', 'cart:*')).toBe('cart:42');
    expect(await cli('info', 'server')).toContain('redis_version:7');
    expect(await cli('del', 'cart:42')).toBe('1');
    expect(await cli('get', 'cart:42')).toBe('');
    expect(await cli('frobnicate')).toContain("ERR unknown command 'frobnicate'");
  });

  it('serves commands read from stdin on one connection', async () => {
    const { stdout } = await run(
      'sh',
      ['-c', `printf 'set a 1\\nget a\\nquit\\n' | redis-cli -h 127.0.0.1 -p ${port}`],
      {
        timeout: 10_000,
      },
    );
    expect(stdout.split('\n').filter(Boolean)).toEqual(['OK', '1']);
  });

  it('still echoes bytes that are not Redis', async () => {
    const back = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end('back again'));
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    expect(back).toBe('back again');
  });
});
