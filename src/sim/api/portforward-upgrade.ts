// The port-forward upgrade of pods/portforward in all three wire protocols — WebSocket v4 (plain or
// base64), the WebSocket tunnel carrying SPDY, and SPDY/3.1 — each switchable, and refused as an
// older API server refuses it. The three share authorisation and the pod lookup and differ only at
// the end; with an upstream kubelet the streams are relayed there instead of served here.
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketByteStream } from '../../wire/websocket/index.js';
import type { PortForwardHub } from '../portforward/hub.js';
import { parsePorts } from '../portforward/hub.js';
import { serveSpdyPortForward } from '../portforward/spdy-server.js';
import { serveWebSocketV4 } from '../portforward/websocket-v4.js';
import type { SimWorkloads } from '../workload/cluster.js';
import { authenticated } from './auth.js';
import { RESOURCES } from './resources.js';
import { ApiError, rawResponse, statusBody } from './status.js';
import type { KObj } from './store.js';
import type { Target } from './target.js';
import { acceptWebSocket, websocketRequestProblem } from './websocket-accept.js';

const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const V4_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

export interface UpgradeDeps {
  hub: PortForwardHub;
  workloads: SimWorkloads;
  token: string;
  /** Throws Forbidden unless `verb` on `resourceName` is allowed for the target. */
  authorize(verb: string, target: Target, resourceName: string): void;
  /** The target's object, or NotFound. */
  getOrThrow(target: Target): KObj;
}

/** One accepted upgrade request, its pod found and authorised. */
interface Upgrade {
  req: http.IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  hub: PortForwardHub;
  namespace: string;
  name: string;
  dial: (port: number) => Promise<net.Socket>;
  label: string;
  refuse: (code: number, text: string, body: string, headers?: Record<string, string>) => void;
}

export const servePortForwardUpgrade = async (
  d: UpgradeDeps,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> => {
  const hub = d.hub;
  const url = new URL(req.url ?? '/', 'https://sim');
  if (!authenticated(req, d.token)) {
    rawResponse(socket, 401, 'Unauthorized', JSON.stringify(statusBody(401, 'Unauthorized', 'Unauthorized')));
    return;
  }
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/.exec(url.pathname);
  if (!m) {
    rawResponse(
      socket,
      404,
      'Not Found',
      JSON.stringify(statusBody(404, 'NotFound', 'the server could not find the requested resource')),
    );
    return;
  }
  if (hub.throttle.remaining > 0) {
    // APF rejects after authentication and before authorization, whatever the protocol.
    hub.throttle.remaining--;
    hub.counters.upgrades.refused++;
    rawResponse(
      socket,
      429,
      'Too Many Requests',
      JSON.stringify(statusBody(429, 'TooManyRequests', 'Too many requests, please try again later.')),
      'application/json',
      { 'Retry-After': String(hub.throttle.retryAfterSeconds) },
    );
    return;
  }
  const namespace = decodeURIComponent(m[1]!);
  const name = decodeURIComponent(m[2]!);
  const target: Target = {
    resource: RESOURCES.find((r) => r.name === 'pods')!,
    namespace,
    name,
    subresource: 'portforward',
  };
  const verb = req.method === 'POST' ? 'create' : 'get';
  d.authorize(verb, target, 'pods/portforward');
  // Since Kubernetes 1.35 a WebSocket GET also needs `create` on pods/portforward.
  if (verb === 'get' && d.hub.websocketNeedsCreate) d.authorize('create', target, 'pods/portforward');
  const pod = d.getOrThrow(target);
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName)
    throw new ApiError(400, 'BadRequest', `pod ${name} does not have a host assigned`);
  if (hub.latencyMs > 0) await new Promise((r) => setTimeout(r, hub.latencyMs));
  if (socket.destroyed) return;
  const up: Upgrade = {
    req,
    socket,
    head,
    url,
    hub,
    namespace,
    name,
    dial: (port) => d.workloads.dial(namespace, name, port),
    label: `pod ${namespace}/${name}`,
    refuse: (code, text, body, headers = {}) => {
      hub.counters.upgrades.refused++;
      rawResponse(socket, code, text, body, 'text/plain; charset=utf-8', headers);
    },
  };
  const upgradeHeader = (req.headers.upgrade ?? '').toLowerCase();
  if (upgradeHeader === 'websocket') return upgradeWebSocket(up);
  if (upgradeHeader === 'spdy/3.1') return upgradeSpdy(up);
  rawResponse(
    socket,
    400,
    'Bad Request',
    JSON.stringify(statusBody(400, 'BadRequest', `unsupported upgrade "${upgradeHeader}"`)),
  );
};

/** WebSocket: the v4 channel protocols, or the tunnel that carries SPDY frames. */
const upgradeWebSocket = async (up: Upgrade): Promise<void> => {
  const { req, socket, head, hub } = up;
  const offered = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const supported = [
    ...(hub.protocols.tunnel ? [TUNNEL_PROTOCOL] : []),
    ...(hub.protocols.websocket ? V4_PROTOCOLS : []),
  ];
  const chosen =
    offered.length === 0
      ? hub.protocols.websocket
        ? ''
        : undefined
      : offered.find((p) => supported.includes(p));
  if (chosen === undefined) {
    // What x/net/websocket (the kubelet's, behind an older API server) answers on a failed handshake.
    up.refuse(
      403,
      'Forbidden',
      `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`,
    );
    return;
  }
  let ports: number[] = [];
  if (chosen !== TUNNEL_PROTOCOL) {
    const parsed = parsePorts(up.url);
    if (typeof parsed === 'string') {
      up.refuse(400, 'Bad Request', parsed);
      return;
    }
    ports = parsed;
  }
  const problem = websocketRequestProblem(req);
  if (problem !== undefined) {
    up.refuse(400, 'Bad Request', problem);
    return;
  }
  if (chosen === TUNNEL_PROTOCOL) {
    // The tunnel is a byte stream: payloads are streamed, never reassembled into messages.
    hub.counters.upgrades.tunnel++;
    const ws = acceptWebSocket(req, socket, head, chosen, 'bytes');
    const pipe = new WebSocketByteStream(ws);
    pipe.on('error', () => pipe.destroy());
    if (hub.upstream !== undefined) {
      // As the API server does: the tunnel's bytes go to the kubelet's SPDY upgrade.
      pipe.once('close', () => ws.terminate());
      await hub.upstream.relay(pipe, up.namespace, up.name, () => {}).catch(() => ws.terminate());
      return;
    }
    serveSpdyPortForward(pipe, {
      dial: up.dial,
      hub,
      label: up.label,
      finGraceMs: hub.finGraceMs,
      destroyTransport: () => ws.terminate(),
    });
    return;
  }
  hub.counters.upgrades.websocket++;
  const ws = acceptWebSocket(req, socket, head, chosen, 'messages');
  serveWebSocketV4(ws, { base64: chosen === 'v4.base64.channel.k8s.io', ports, dial: up.dial, hub });
};

/** SPDY/3.1 with the portforward.k8s.io stream protocol. */
const upgradeSpdy = async (up: Upgrade): Promise<void> => {
  const { req, socket, head, hub } = up;
  const versions = ([] as string[])
    .concat(req.headers['x-stream-protocol-version'] ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (!hub.protocols.spdy) {
    up.refuse(
      403,
      'Forbidden',
      `unable to upgrade: SPDY port-forwarding is not supported by this server (switched off in the simulated cluster)`,
      { 'X-Accepted-Stream-Protocol-Versions': '' },
    );
    return;
  }
  if (versions.length === 0) {
    up.refuse(
      400,
      'Bad Request',
      'unable to upgrade: unable to negotiate protocol: X-Stream-Protocol-Version is required',
    );
    return;
  }
  if (!versions.includes('portforward.k8s.io')) {
    up.refuse(
      403,
      'Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server accepts ["portforward.k8s.io"]`,
      { 'X-Accepted-Stream-Protocol-Versions': 'portforward.k8s.io' },
    );
    return;
  }
  if (hub.upstream !== undefined) {
    // The kubelet's own 101 is passed on, then the connection is spliced to it.
    hub.counters.upgrades.spdy++;
    if (head.length > 0) socket.unshift(head);
    await hub.upstream
      .relay(socket, up.namespace, up.name, (responseHead) => socket.write(responseHead))
      .catch((err: unknown) => {
        if (!socket.destroyed)
          rawResponse(socket, 502, 'Bad Gateway', err instanceof Error ? err.message : String(err));
      });
    return;
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
  );
  hub.counters.upgrades.spdy++;
  if (head.length > 0) socket.unshift(head);
  serveSpdyPortForward(socket, { dial: up.dial, hub, label: up.label, finGraceMs: hub.finGraceMs });
};
