// The engine's records: what it knows about services, forwards and namespaces. State merges
// these with traffic figures to make the views in contract/state.
import type { ForwardView, NamespaceView } from '../contract/state.js';
import {
  formatForwardKey,
  formatNamespaceKey,
  formatServiceKey,
  type ForwardKey,
  type NamespaceKey,
  type ServiceKey,
} from '../domain/keys.js';

/** A forward as the engine sees it: the view less the traffic figures the state store adds. */
export type ForwardRecord = Omit<
  ForwardView,
  | 'bytesIn'
  | 'bytesOut'
  | 'rateIn'
  | 'rateOut'
  | 'avgRateIn'
  | 'avgRateOut'
  | 'lastActive'
  | 'connections'
  | 'activeConnections'
>;

export interface ServiceRecord {
  /** `<svcName>.<namespace>.<context>`; for headless per-pod entries svcName is `<pod>.<svc>`. */
  key: string;
  /** `<service>.<namespace>.<context>` of the Kubernetes Service. */
  registryKey: string;
  serviceName: string;
  namespace: string;
  context: string;
  headless: boolean;
  localIP: string;
  hostnames: string[];
  /** Service ports as forwarded (after -m mapping), TCP only. */
  ports: { name?: string; port: number; localPort: number; targetPort: string; protocol: 'TCP' }[];
}

export type NamespaceRecord = Omit<NamespaceView, 'serviceCount' | 'activeCount' | 'errorCount'> & {
  startedAt: string;
};

/** `serviceName` may be `<pod>.<service>` (a headless per-pod entry): the key reads the same. */
export const serviceKey = (serviceName: string, namespace: string, context: string): ServiceKey =>
  formatServiceKey({ service: serviceName, namespace, context });

export const forwardKey = (svcKey: string, podName: string, localPort: number | string): ForwardKey =>
  formatForwardKey(svcKey as ServiceKey, podName, localPort);

export const namespaceKey = (namespace: string, context: string): NamespaceKey =>
  formatNamespaceKey(namespace, context);
