// The simulated Redis pod: enough RESP2 for what people type at a Redis through a forward
// (`redis-cli ping`, GET/SET/DEL/EXISTS/KEYS, INFO, and what redis-cli sends on connect, such as
// COMMAND DOCS for its hints). Keys live in memory, one keyspace per pod, shared by its connections.
// Anything else is answered the way Redis answers it: `-ERR unknown command …`, never a hang.

import type { Socket } from 'node:net';

const CRLF = '\r\n';
export const REDIS_VERSION = '7.2.4';

/** One encoded RESP2 reply. */
type Reply = Buffer;
const simple = (s: string): Reply => Buffer.from(`+${s}${CRLF}`);
const error = (s: string): Reply => Buffer.from(`-${s}${CRLF}`);
const integer = (n: number): Reply => Buffer.from(`:${n}${CRLF}`);
const bulk = (b: Buffer | string | null): Reply => {
  if (b === null) return Buffer.from(`$-1${CRLF}`);
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([Buffer.from(`$${buf.length}${CRLF}`), buf, Buffer.from(CRLF)]);
};
const array = (items: readonly Reply[]): Reply =>
  Buffer.concat([Buffer.from(`*${items.length}${CRLF}`), ...items]);
const OK = simple('OK');

export type RequestParse =
  | { kind: 'request'; args: Buffer[]; next: number }
  | { kind: 'incomplete' }
  | { kind: 'error'; message: string };

const MAX_ARGS = 1024 * 1024;
const MAX_BULK = 512 * 1024 * 1024;

/** Reads `<digits>\r\n` after a type byte at `at`; undefined = not all there yet, NaN = not a number. */
const readLength = (buf: Buffer, at: number): { n: number; next: number } | undefined => {
  const end = buf.indexOf(CRLF, at);
  if (end < 0) return undefined;
  const text = buf.toString('latin1', at, end);
  return { n: /^-?\d{1,10}$/.test(text) ? Number(text) : NaN, next: end + 2 };
};

/**
 * One request from `buf` at `offset`: a RESP array of bulk strings (what every client library and
 * redis-cli send) or an inline command line (what `telnet`/`nc` users type).
 */
export function parseRequest(buf: Buffer, offset: number): RequestParse {
  if (offset >= buf.length) return { kind: 'incomplete' };
  if (buf[offset] !== 0x2a /* '*' */) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl < 0) return { kind: 'incomplete' };
    const line = buf.toString('utf8', offset, nl).replace(/\r$/, '');
    const args = line
      .trim()
      .split(/\s+/)
      .filter((a) => a !== '')
      .map((a) => Buffer.from(a));
    return { kind: 'request', args, next: nl + 1 };
  }
  const count = readLength(buf, offset + 1);
  if (count === undefined) return { kind: 'incomplete' };
  if (Number.isNaN(count.n) || count.n > MAX_ARGS)
    return { kind: 'error', message: 'Protocol error: invalid multibulk length' };
  const args: Buffer[] = [];
  let at = count.next;
  for (let i = 0; i < count.n; i++) {
    if (at >= buf.length) return { kind: 'incomplete' };
    if (buf[at] !== 0x24 /* '$' */)
      return {
        kind: 'error',
        message: `Protocol error: expected '$', got '${String.fromCharCode(buf[at]!)}'`,
      };
    const len = readLength(buf, at + 1);
    if (len === undefined) return { kind: 'incomplete' };
    if (Number.isNaN(len.n) || len.n < 0 || len.n > MAX_BULK)
      return { kind: 'error', message: 'Protocol error: invalid bulk length' };
    if (buf.length < len.next + len.n + 2) return { kind: 'incomplete' };
    args.push(Buffer.from(buf.subarray(len.next, len.next + len.n)));
    at = len.next + len.n + 2;
  }
  return { kind: 'request', args, next: at };
}

/** Redis's glob (`*`, `?`, `[abc]`, `[^a]`, `\x`) as a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < glob.length) out += escapeRe(glob[++i]!);
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, close);
        const negate = body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = close;
      }
    } else out += escapeRe(c);
  }
  return new RegExp(`^${out}$`, 's');
}
const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Entry {
  value: Buffer;
  /** Epoch ms when the key expires; undefined = never. */
  expiresAt?: number;
}

export interface RedisKeyspaceOptions {
  /** The clock (ms), for expiry. */
  now?: () => number;
  /** Named in INFO's server section. */
  pod?: string;
}

/** One pod's data and the commands on it. */
export class RedisKeyspace {
  private readonly data = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly started: number;
  private nextClientId = 1;
  clients = 0;

  constructor(private readonly opts: RedisKeyspaceOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.started = this.now();
  }

  newClientId(): number {
    return this.nextClientId++;
  }

  private live(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private liveKeys(): string[] {
    return [...this.data.keys()].filter((k) => this.live(k) !== undefined);
  }

  // Long as a table: one case per Redis command the simulated server speaks.
  /** Runs one command; `quit` tells the connection to close after the reply. */
  execute(args: readonly Buffer[], clientId = 0): { reply: Reply; quit?: boolean } {
    if (args.length === 0) return { reply: Buffer.alloc(0) };
    const name = args[0]!.toString().toLowerCase();
    const rest = args.slice(1).map((a) => a.toString());
    const arity = (min: number, max = Infinity): boolean => rest.length >= min && rest.length <= max;
    const wrongArgs = (): { reply: Reply } => ({
      reply: error(`ERR wrong number of arguments for '${name}' command`),
    });
    switch (name) {
      case 'ping':
        if (!arity(0, 1)) return wrongArgs();
        return { reply: rest.length === 0 ? simple('PONG') : bulk(args[1]!) };
      case 'echo':
        return arity(1, 1) ? { reply: bulk(args[1]!) } : wrongArgs();
      case 'quit':
        return { reply: OK, quit: true };
      case 'get': {
        if (!arity(1, 1)) return wrongArgs();
        return { reply: bulk(this.live(rest[0]!)?.value ?? null) };
      }
      case 'set':
        return arity(2) ? { reply: this.set(args[2]!, rest) } : wrongArgs();
      case 'del':
      case 'unlink': {
        if (!arity(1)) return wrongArgs();
        let n = 0;
        for (const k of rest) if (this.live(k) !== undefined && this.data.delete(k)) n++;
        return { reply: integer(n) };
      }
      case 'exists':
        if (!arity(1)) return wrongArgs();
        return { reply: integer(rest.filter((k) => this.live(k) !== undefined).length) };
      case 'keys': {
        if (!arity(1, 1)) return wrongArgs();
        const re = globToRegExp(rest[0]!);
        return {
          reply: array(
            this.liveKeys()
              .filter((k) => re.test(k))
              .sort()
              .map((k) => bulk(k)),
          ),
        };
      }
      case 'dbsize':
        return { reply: integer(this.liveKeys().length) };
      case 'flushdb':
      case 'flushall':
        this.data.clear();
        return { reply: OK };
      case 'incr':
      case 'decr':
      case 'incrby':
      case 'decrby': {
        const by = name.endsWith('by');
        if (!arity(by ? 2 : 1, by ? 2 : 1)) return wrongArgs();
        const step = by ? Number(rest[1]) : 1;
        if (!Number.isSafeInteger(step))
          return { reply: error('ERR value is not an integer or out of range') };
        const e = this.live(rest[0]!);
        const current = e === undefined ? 0 : Number(e.value.toString());
        if (e !== undefined && !/^-?\d+$/.test(e.value.toString()))
          return { reply: error('ERR value is not an integer or out of range') };
        const next = current + (name.startsWith('decr') ? -step : step);
        this.data.set(rest[0]!, { value: Buffer.from(String(next)), expiresAt: e?.expiresAt });
        return { reply: integer(next) };
      }
      case 'expire':
      case 'pexpire': {
        if (!arity(2, 2)) return wrongArgs();
        const n = Number(rest[1]);
        if (!Number.isSafeInteger(n)) return { reply: error('ERR value is not an integer or out of range') };
        const e = this.live(rest[0]!);
        if (e === undefined) return { reply: integer(0) };
        e.expiresAt = this.now() + (name === 'expire' ? n * 1000 : n);
        return { reply: integer(1) };
      }
      case 'ttl':
      case 'pttl': {
        if (!arity(1, 1)) return wrongArgs();
        const e = this.live(rest[0]!);
        if (e === undefined) return { reply: integer(-2) };
        if (e.expiresAt === undefined) return { reply: integer(-1) };
        const ms = e.expiresAt - this.now();
        return { reply: integer(name === 'ttl' ? Math.round(ms / 1000) : ms) };
      }
      case 'type':
        if (!arity(1, 1)) return wrongArgs();
        return { reply: simple(this.live(rest[0]!) === undefined ? 'none' : 'string') };
      case 'info':
        return { reply: bulk(this.info(rest[0]?.toLowerCase())) };
      case 'select':
        if (!arity(1, 1)) return wrongArgs();
        return rest[0] === '0'
          ? { reply: OK }
          : { reply: error('ERR DB index is out of range (the simulated Redis has database 0 only)') };
      case 'auth':
        return {
          reply: error(
            'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
          ),
        };
      case 'hello': {
        if (rest[0] !== undefined && rest[0] !== '2')
          return { reply: error('NOPROTO sorry, this protocol version is not supported') };
        return {
          reply: array([
            bulk('server'),
            bulk('redis'),
            bulk('version'),
            bulk(REDIS_VERSION),
            bulk('proto'),
            integer(2),
            bulk('id'),
            integer(clientId),
            bulk('mode'),
            bulk('standalone'),
            bulk('role'),
            bulk('master'),
            bulk('modules'),
            array([]),
          ]),
        };
      }
      case 'client': {
        const sub = rest[0]?.toLowerCase();
        if (sub === 'setname' || sub === 'setinfo') return { reply: OK };
        if (sub === 'id') return { reply: integer(clientId) };
        if (sub === 'getname') return { reply: bulk(null) };
        break;
      }
      case 'command': {
        // redis-cli asks COMMAND DOCS on connect for its inline hints; none is a valid answer and
        // it falls back to its built-in help.
        const sub = rest[0]?.toLowerCase();
        if (sub === 'count') return { reply: integer(COMMANDS.length) };
        if (sub === undefined || sub === 'docs' || sub === 'info' || sub === 'list')
          return { reply: sub === 'list' ? array(COMMANDS.map((c) => bulk(c))) : array([]) };
        break;
      }
      default:
        break;
    }
    const shown = rest
      .slice(0, 10)
      .map((a) => `'${a.slice(0, 128)}' `)
      .join('');
    return {
      reply: error(
        `ERR unknown command '${[name, ...rest].slice(0, name === 'client' || name === 'command' ? 2 : 1).join(' ')}', with args beginning with: ${shown}`,
      ),
    };
  }

  private set(value: Buffer, rest: readonly string[]): Reply {
    const key = rest[0]!;
    let expiresAt: number | undefined;
    let nx = false;
    let xx = false;
    let get = false;
    for (let i = 2; i < rest.length; i++) {
      const opt = rest[i]!.toLowerCase();
      if (opt === 'nx') nx = true;
      else if (opt === 'xx') xx = true;
      else if (opt === 'get') get = true;
      else if ((opt === 'ex' || opt === 'px') && i + 1 < rest.length) {
        const n = Number(rest[++i]);
        if (!Number.isSafeInteger(n) || n <= 0) return error("ERR invalid expire time in 'set' command");
        expiresAt = this.now() + (opt === 'ex' ? n * 1000 : n);
      } else return error('ERR syntax error');
    }
    if (nx && xx) return error('ERR syntax error');
    const old = this.live(key);
    if ((nx && old !== undefined) || (xx && old === undefined))
      return get ? bulk(old?.value ?? null) : bulk(null);
    this.data.set(key, { value: Buffer.from(value), ...(expiresAt !== undefined ? { expiresAt } : {}) });
    return get ? bulk(old?.value ?? null) : OK;
  }

  /** INFO's text: the sections a monitoring tool or a curious user reads first. */
  info(section?: string): string {
    const keys = this.liveKeys();
    const expires = keys.filter((k) => this.data.get(k)?.expiresAt !== undefined).length;
    const bytes = keys.reduce((n, k) => n + k.length + (this.data.get(k)?.value.length ?? 0), 0);
    const sections: Record<string, string[]> = {
      server: [
        `redis_version:${REDIS_VERSION}`,
        'redis_mode:standalone',
        `os:kubefwd simulated cluster${this.opts.pod !== undefined ? ` (pod ${this.opts.pod})` : ''}`,
        'tcp_port:6379',
        `uptime_in_seconds:${Math.floor((this.now() - this.started) / 1000)}`,
      ],
      clients: [`connected_clients:${this.clients}`],
      memory: [`used_memory:${bytes}`, `used_memory_human:${bytes}B`],
      replication: ['role:master', 'connected_slaves:0'],
      keyspace: keys.length > 0 ? [`db0:keys=${keys.length},expires=${expires},avg_ttl=0`] : [],
    };
    const wanted =
      section === undefined || section === 'all' || section === 'everything' || section === 'default'
        ? Object.keys(sections)
        : Object.keys(sections).filter((s) => s === section);
    return wanted
      .map((s) => [`# ${s[0]!.toUpperCase()}${s.slice(1)}`, ...sections[s]!].join(CRLF) + CRLF)
      .join(CRLF);
  }
}

const COMMANDS = [
  'ping', 'echo', 'quit', 'get', 'set', 'del', 'unlink', 'exists', 'keys', 'dbsize', 'flushdb',
  'flushall', 'incr', 'decr', 'incrby', 'decrby', 'expire', 'pexpire', 'ttl', 'pttl', 'type',
  'info', 'select', 'auth', 'hello', 'client', 'command',
]; // prettier-ignore

/** Serves one connection; `first` is what the client already sent (read while sniffing). */
export function serveRedis(socket: Socket, keyspace: RedisKeyspace, first: Buffer): void {
  const id = keyspace.newClientId();
  keyspace.clients++;
  socket.once('close', () => keyspace.clients--);
  let pending: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    const replies: Buffer[] = [];
    for (;;) {
      const r = parseRequest(pending, at);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'error') {
        // As Redis: report the protocol error and close.
        socket.end(Buffer.concat([...replies, error(`ERR ${r.message}`)]));
        socket.off('data', onData);
        return;
      }
      at = r.next;
      const { reply, quit } = keyspace.execute(r.args, id);
      replies.push(reply);
      if (quit === true) {
        socket.end(Buffer.concat(replies));
        socket.off('data', onData);
        return;
      }
    }
    pending = pending.subarray(at);
    if (replies.length > 0) socket.write(Buffer.concat(replies));
  };
  socket.on('data', onData);
  socket.on('end', () => socket.end());
  onData(first);
}

/**
 * Whether a connection's first bytes are a Redis client's. Clients send RESP arrays (`*N\r\n`);
 * `nc`/`telnet` users type a known command and a newline. Anything else is echoed: the transport
 * tests push raw bytes through this pod and expect them back byte for byte.
 */
export function classifyRedis(first: Buffer): 'wait' | 'echo' | 'protocol' {
  if (first[0] === 0x2a) {
    const head = first.toString('latin1', 0, Math.min(first.length, 12));
    const m = /^\*(\d{1,7})(\r\n?)?/.exec(head);
    if (m === null) return first.length === 1 ? 'wait' : 'echo';
    if (m[2] === '\r\n') return 'protocol';
    return m[0].length === head.length ? 'wait' : 'echo';
  }
  const nl = first.indexOf(0x0a);
  if (nl < 0) return 'echo';
  const word = first.toString('latin1', 0, nl).trim().split(/\s+/)[0]!.toLowerCase();
  return COMMANDS.includes(word) ? 'protocol' : 'echo';
}
