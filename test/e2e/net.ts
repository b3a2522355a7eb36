// Reaching forwards the way a user does: resolve a name through the (temp) hosts file kubefwd
// manages, then connect to that address.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { request } from 'node:http';

/** name → ip from hosts-file text (first match wins, as the resolver does). */
export const parseHosts = (text: string): Map<string, string> => {
  const map = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [ip, ...names] = line.split(/\s+/);
    for (const n of names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), ip!);
  }
  return map;
};

export const resolveName = async (hostsPath: string, name: string): Promise<string> => {
  const ip = parseHosts(await readFile(hostsPath, 'utf8')).get(name.toLowerCase());
  if (ip === undefined) throw new Error(`${name} is not in ${hostsPath}`);
  return ip;
};

/** The text between our markers (id normalised to <id>), for golden comparisons. */
export const kubefwdBlock = (text: string): string => {
  const m = /# kubefwd begin ([^\r\n]+)\r?\n([\s\S]*?)# kubefwd end \1\r?\n?/.exec(text);
  return m ? `# kubefwd begin <id>\n${m[2]!.replace(/\r\n/g, '\n')}# kubefwd end <id>\n` : '';
};

export const hasBlock = (text: string): boolean => /# kubefwd begin /.test(text);

export interface HttpReply {
  status: number;
  body: string;
}

export const httpGet = (
  ip: string,
  port: number,
  path: string,
  host: string,
  timeoutMs = 5000,
): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: ip, port, path, headers: { host: `${host}:${port}` }, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`HTTP ${ip}:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });

/** Sends `data`, half-closes, and returns everything echoed back. */
export const echoRoundTrip = (ip: string, port: number, data: Buffer, timeoutMs = 10_000): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const sock = connect({ host: ip, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(new Error(`echo ${ip}:${port} timed out`)), timeoutMs);
    sock.on('connect', () => sock.end(data));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });

/** Polls `fn` until it returns without throwing (or a truthy value), or times out with the last error. */
export const eventually = async <T>(
  fn: () => Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<NonNullable<Exclude<T, false>>> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false && v !== undefined && v !== null) return v as NonNullable<Exclude<T, false>>;
      last = new Error('condition not met');
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};
