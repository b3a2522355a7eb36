// Port-forwarding to pods over our own client for all three wire protocols (ARCHITECTURE decision 1).
//
//   const pf = createPortForwarder(conn: ClusterConnection, {
//     transport: 'auto' | 'tunnel' | 'spdy' | 'websocket',
//     pingIntervalMs?, pingTimeoutMs?, connectTimeoutMs?, logger?,
//   });
//   const session = pf.openSession({ namespace, name });   // a PodSession (src/contract/gateways.ts)
//   await session.ready();                                 // connects (auto: negotiates once per cluster)
//   const duplex = await session.openStream(8080);          // one per local TCP connection
//   pf.negotiated();  // 'tunnel' | 'spdy' | 'websocket' | undefined
//   pf.close();
//
// A pod-side failure destroys only that stream's Duplex with a KubefwdError (CONNECTION_REFUSED or
// STREAM_ERROR, message from the kubelet); a lost connection (cut, ping timeout, GOAWAY) resolves
// `session.closed` with a KubefwdError and destroys its streams with it.
export {
  createPortForwarder,
  type PortForwarder,
  type PortForwarderOptions,
  type TransportChoice,
  type WireTransport,
} from './forwarder.js';
export { UpgradeError, refusedUpgrade, connectFailure } from './upgrade.js';
export { podStreamError } from './pod-error.js';
export { TUNNEL_PROTOCOL, PORT_FORWARD_PROTOCOL } from './spdy-pod-session.js';
export { bridge, type BridgeHandle } from './bridge.js';
