// Our port-forwarder in its own process (the kubefwd side of the measurement): one session to the
// bench pod, a local listener per pod port, every connection bridged as the engine does.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { createKubeConnection, loadKubeconfig, resolveContext } from '../../src/kube/index.js';
import { bridge, createPortForwarder, type WireTransport } from '../../src/kube/portforward/index.js';
import { realClock, silentLogger } from '../../src/kube/types.js';
import { tuneHeapForForwarding } from '../../src/daemon/index.js';

interface Config {
  /** The kubeconfig to reach the API with, read as the daemon reads it. */
  kubeconfig: string;
  transport: WireTransport;
  namespace: string;
  pod: string;
  ports: number[];
}

const main = async (): Promise<void> => {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
  // The daemon's code and heap setting: the forwarding process as `kubefwd svc` runs it.
  tuneHeapForForwarding();
  // The connection the daemon builds (TLS context, session resumption, shared frame buffers).
  const conn = createKubeConnection(
    resolveContext(loadKubeconfig({ kubeconfigPath: cfg.kubeconfig, invokingUser: null })),
    { env: process.env, home: homedir(), invokingUser: undefined, clock: realClock, logger: silentLogger },
  );
  const pf = createPortForwarder(conn, { transport: cfg.transport });
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
