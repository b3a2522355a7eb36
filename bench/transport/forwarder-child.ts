// Our port-forwarder in its own process (the kubefwd side of the measurement): one session to the
// bench pod, a local listener per pod port, every connection bridged as the engine does.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { bridge, createPortForwarder, type WireTransport } from '../../src/kube/portforward/index.js';

interface Config {
  apiUrl: string;
  token: string;
  /** The API server's CA (PEM). */
  ca: string;
  transport: WireTransport;
  namespace: string;
  pod: string;
  ports: number[];
}

const main = async (): Promise<void> => {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
  const pf = createPortForwarder(
    {
      contextName: 'bench',
      server: cfg.apiUrl,
      tlsOptions: async () => ({ ca: cfg.ca }),
      authHeaders: async () => ({ Authorization: `Bearer ${cfg.token}` }),
    },
    { transport: cfg.transport },
  );
  const session = pf.openSession({ namespace: cfg.namespace, name: cfg.pod });
  await session.ready();
  const local: Record<number, number> = {};
  const servers: net.Server[] = [];
  for (const port of cfg.ports) {
    // The same highWaterMark as the engine's listeners (src/os/listener.ts).
    const server = net.createServer(
      { allowHalfOpen: true, noDelay: true, highWaterMark: 256 * 1024 },
      (socket) => {
        socket.pause();
        session.openStream(port).then(
          (remote) => {
            bridge(socket, remote);
            socket.resume();
          },
          () => socket.destroy(),
        );
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    local[port] = (server.address() as AddressInfo).port;
  }
  const stop = (): void => {
    pf.close();
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ ports: local });
};

main().catch((err: unknown) => {
  console.error('forwarder child failed:', err);
  process.exit(1);
});
