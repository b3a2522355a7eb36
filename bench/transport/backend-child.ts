// The "pod" behind every path: a byte-exact TCP echo server and a minimal HTTP server, in their own
// process so every path (direct TCP, our transports, kubectl) reaches the same backend.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

const main = async (): Promise<void> => {
  const echo = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  const body = Buffer.from('{"ok":true}\n');
  const web = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  web.keepAliveTimeout = 60_000;
  const [echoPort, httpPort] = await Promise.all([listen(echo), listen(web)]);
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ echoPort, httpPort });
};

void main();
