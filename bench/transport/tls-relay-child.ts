// The reference path "tls-relay": the least any TLS port-forwarder must do on this machine, with
// none of the protocol work. Two of these processes stand where our forwarder and the API server
// stand: the ingress accepts plain TCP and opens one TLS connection per client connection to the
// egress, which terminates TLS and connects to the backend. Both just pipe bytes: no SPDY, no
// WebSocket, no multiplexing, one TLS handshake per connection.
//
//   node tls-relay-child.js egress '{"targets":[7000,7001]}'            → {ports:[tlsPort…]}
//   node tls-relay-child.js ingress '{"targets":[tlsPort…],"ca":"PEM"}' → {ports:[localPort…]}
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { SERVER_CERT, SERVER_KEY } from '../../src/sim/tls.js';

interface Config {
  targets: number[];
  ca?: string;
}

const join = (a: net.Socket, b: net.Socket): void => {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
};

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

const main = async (): Promise<void> => {
  const role = process.argv[2];
  const cfg = JSON.parse(process.argv[3] ?? '{}') as Config;
  const servers = cfg.targets.map((target) =>
    role === 'egress'
      ? tls.createServer({ cert: SERVER_CERT, key: SERVER_KEY, allowHalfOpen: true }, (s) => {
          s.setNoDelay(true);
          join(s, net.connect({ port: target, host: '127.0.0.1', noDelay: true, allowHalfOpen: true }));
        })
      : net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
          const up = tls.connect({ port: target, host: '127.0.0.1', ca: cfg.ca, servername: 'localhost' });
          up.setNoDelay(true);
          join(s, up);
        }),
  );
  const ports = await Promise.all(servers.map(listen));
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ ports });
};

void main();
