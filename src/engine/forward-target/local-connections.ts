// The local connections of one forward: each is tracked (a manual reconnect ends them, and only
// them), carried to the pod by connectToPod over the target's current session (waiting for one
// while it is being established), tapped for traffic, and its failure logged once.
import type { Socket } from 'node:net';
import { connectToPod } from '../connection.js';
import type { Clock, Logger, PodSession, TrafficRecorder } from '../gateways.js';
import { forwardKey } from '../model.js';
import type { TargetIdentity } from './context.js';
import { podPortOf, type PlannedPort } from './records.js';

/** What a local connection needs of its forward target, read when it needs it (they change). */
export interface ConnectionHost {
  id: TargetIdentity;
  clock: Clock;
  logger: Logger;
  traffic: TrafficRecorder;
  label: () => string;
  /** The port's plan now (undefined once the port is gone). */
  planOf: (localPort: number) => PlannedPort | undefined;
  pod: () => string | undefined;
  /** The session once Active, waiting (bounded) while it is being established. */
  activeSession: () => Promise<PodSession>;
}

export class LocalConnections {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly host: ConnectionHost) {}

  /** Ends every open connection (a manual reconnect). */
  endAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  accept(socket: Socket, localPort: number): void {
    const host = this.host;
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const plan = host.planOf(localPort);
    if (!plan) {
      socket.destroy();
      return;
    }
    let pod = host.pod();
    let podPort = podPortOf(plan) ?? localPort;
    /** The forward this connection counts towards (its pod is known once a session is there). */
    const forward = () => ({
      key: forwardKey(host.id.key, pod ?? '-', localPort),
      serviceKey: host.id.key,
      podName: pod ?? '',
      localIP: host.id.ip,
      localPort: String(localPort),
      podPort: String(podPort),
    });
    connectToPod({
      socket,
      podPort: () => {
        podPort = podPortOf(host.planOf(localPort) ?? plan) ?? localPort;
        return podPort;
      },
      session: async () => {
        const session = await host.activeSession();
        pod = host.pod();
        return session;
      },
      sessionDied: (session) => sessionClosing(host.clock, session),
      tap: () => host.traffic.connectionOpened(forward()),
      done: (failure) => {
        if (!failure) return;
        host.traffic.connectionFailed(forward(), failure);
        host.logger.warn(
          `${host.label()}: connection on ${host.id.ip}:${localPort} ${pod === undefined ? `(no pod reached, port ${podPort})` : `to pod ${pod}:${podPort}`} ended: ${failure}`,
        );
      },
    });
  }
}

/** Whether a session turns out to be closing (its `closed` settles within a short grace). */
const sessionClosing = (clock: Clock, session: PodSession): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), 200);
    void session.closed.then(() => {
      timer.cancel();
      resolve(true);
    });
  });
