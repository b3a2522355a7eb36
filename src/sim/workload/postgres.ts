// The simulated PostgreSQL pod: the frontend/backend protocol 3.0 as psql and drivers speak it.
// SSLRequest and GSSENCRequest are refused with `N` (the client goes on in the clear), the startup
// packet is answered with trust authentication (AuthenticationOk), the ParameterStatus values a
// client reads, BackendKeyData and ReadyForQuery; then the simple query protocol (postgres-sql.ts).
// The extended protocol (Parse/Bind/…) gets an ErrorResponse and the connection stays usable.
import type net from 'node:net';
import {
  execute,
  PG_SERVER_VERSION,
  splitStatements,
  type SqlSession,
  type StatementResult,
} from './postgres-sql.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 3 << 16;
const MAX_STARTUP = 10_000;

/** One backend message: type byte, int32 length (itself included), body. */
export const message = (type: string, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);

const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => message('Z', Buffer.from(status));

/** ErrorResponse with severity, SQLSTATE, message and optional hint. */
export const errorResponse = (code: string, text: string, hint?: string): Buffer =>
  message(
    'E',
    cstr('SERROR'),
    cstr('VERROR'),
    cstr(`C${code}`),
    cstr(`M${text}`),
    ...(hint !== undefined ? [cstr(`H${hint}`)] : []),
    Buffer.from([0]),
  );

/** The messages that answer one statement's result. */
export function encodeResult(r: StatementResult): Buffer[] {
  switch (r.kind) {
    case 'empty':
      return [message('I')];
    case 'error':
      return [errorResponse(r.code, r.message, r.hint)];
    case 'command':
      return [message('C', cstr(r.tag))];
    case 'rows': {
      const desc = message(
        'T',
        int16(r.columns.length),
        ...r.columns.map((c) =>
          Buffer.concat([
            cstr(c.name),
            int32(0),
            int16(0),
            int32(c.type),
            int16(c.type === 23 ? 4 : -1),
            int32(-1),
            int16(0),
          ]),
        ),
      );
      const rows = r.rows.map((row) =>
        message(
          'D',
          int16(row.length),
          ...row.map((cell) => {
            if (cell === null) return int32(-1);
            const v = Buffer.from(cell);
            return Buffer.concat([int32(v.length), v]);
          }),
        ),
      );
      return [desc, ...rows, message('C', cstr(r.tag))];
    }
  }
}

/**
 * Whether a connection's first bytes are a PostgreSQL client's: an int32 length below 10 kB (so
 * the first byte is 0) and a known request code. Anything else is echoed (see sniff.ts).
 */
export function classifyPostgres(first: Buffer): 'wait' | 'echo' | 'protocol' {
  if (first[0] !== 0) return 'echo';
  if (first.length < 8) return 'wait';
  const len = first.readInt32BE(0);
  const code = first.readInt32BE(4);
  if (len < 8 || len > MAX_STARTUP) return 'echo';
  if (code === SSL_REQUEST || code === GSSENC_REQUEST || code === CANCEL_REQUEST)
    return len === 8 || len === 16 ? 'protocol' : 'echo';
  return code >>> 16 === 3 ? 'protocol' : 'echo';
}

export interface PostgresContext {
  /** Appended to the pod's log, as postgres logs connections and statements. */
  log(line: string): void;
  /** The BackendKeyData process id. */
  pid: number;
}

// One protocol session: the message loop and its replies share the connection's state.
/** Serves one connection; `first` is what the client already sent (read while sniffing). */
export function servePostgres(socket: net.Socket, ctx: PostgresContext, first: Buffer): void {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  let transaction: 'I' | 'T' = 'I';
  // After an error in the extended protocol, messages are skipped until Sync (as the server does).
  let skipUntilSync = false;
  let session: SqlSession = { user: 'postgres', database: 'postgres', settings: {} };

  const startup = (body: Buffer, code: number): boolean => {
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      socket.write('N');
      return true;
    }
    if (code === CANCEL_REQUEST) {
      socket.end();
      return false;
    }
    const params: Record<string, string> = {};
    const fields = body.toString('utf8').split('\0');
    for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) params[fields[i]!] = fields[i + 1]!;
    const user = params.user ?? 'postgres';
    const settings: Record<string, string> = {
      server_version: PG_SERVER_VERSION,
      server_encoding: 'UTF8',
      client_encoding: params.client_encoding ?? 'UTF8',
      application_name: params.application_name ?? '',
      DateStyle: 'ISO, MDY',
      IntervalStyle: 'postgres',
      integer_datetimes: 'on',
      is_superuser: 'on',
      session_authorization: user,
      standard_conforming_strings: 'on',
      TimeZone: 'UTC',
    };
    session = {
      user,
      database: params.database ?? user,
      settings: Object.fromEntries(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v])),
    };
    const out: Buffer[] = [];
    // A 3.x client newer than 3.0 (libpq 18 asks 3.2) is told which minor version we speak.
    if ((code & 0xffff) !== 0) out.push(message('v', int32(PROTOCOL_3), int32(0)));
    out.push(message('R', int32(0)));
    for (const [k, v] of Object.entries(settings)) out.push(message('S', cstr(k), cstr(v)));
    out.push(message('K', int32(ctx.pid), int32((Math.random() * 0x7fffffff) | 0)), readyForQuery('I'));
    socket.write(Buffer.concat(out));
    started = true;
    ctx.log(`LOG:  connection authorized: user=${user} database=${session.database} (trust)`);
    return true;
  };

  const query = (text: string): Buffer[] => {
    const out: Buffer[] = [];
    const statements = text.replace(/\0$/, '');
    ctx.log(`LOG:  statement: ${statements.replace(/\s+/g, ' ').trim().slice(0, 500)}`);
    for (const s of splitStatements(statements)) {
      const r = execute(s, session);
      out.push(...encodeResult(r));
      if (r.kind === 'command' && r.transaction !== undefined)
        transaction = r.transaction === 'begin' ? 'T' : 'I';
      if (r.kind === 'error') break;
    }
    out.push(readyForQuery(transaction));
    return out;
  };

  const onData = (chunk: Buffer): void => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (!started) {
        if (pending.length < 8) break;
        const len = pending.readInt32BE(0);
        if (len < 8 || len > MAX_STARTUP) {
          socket.end(errorResponse('08P01', `invalid length of startup packet: ${len}`));
          return;
        }
        if (pending.length < len) break;
        const code = pending.readInt32BE(4);
        const body = pending.subarray(8, len);
        pending = pending.subarray(len);
        if (!startup(body, code)) return;
        continue;
      }
      if (pending.length < 5) break;
      const type = String.fromCharCode(pending[0]!);
      const len = pending.readInt32BE(1);
      if (len < 4 || len > 64 * 1024 * 1024) {
        socket.end(Buffer.concat([...out, errorResponse('08P01', `invalid message length ${len}`)]));
        return;
      }
      if (pending.length < len + 1) break;
      const body = pending.subarray(5, len + 1);
      pending = pending.subarray(len + 1);
      if (type === 'X') {
        socket.end(Buffer.concat(out));
        return;
      }
      if (type === 'Q') {
        skipUntilSync = false;
        out.push(...query(body.toString('utf8')));
      } else if (type === 'S') {
        skipUntilSync = false;
        out.push(readyForQuery(transaction));
      } else if (type === 'H') {
        // Flush: nothing is buffered.
      } else if (!skipUntilSync) {
        skipUntilSync = true;
        out.push(
          errorResponse(
            '0A000',
            'the simulated PostgreSQL speaks the simple query protocol only (psql, or a driver in simple-query mode)',
          ),
        );
      }
    }
    if (out.length > 0) socket.write(Buffer.concat(out));
  };
  socket.on('data', onData);
  socket.on('end', () => socket.end());
  onData(first);
}
