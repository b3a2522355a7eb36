// The shapes this adapter offers: the gateways of contract/gateways.ts (which the engine uses), under the
// names the kube code has always used.
export type {
  Logger as KubeLogger,
  Clock as KubeClock,
  Selectors,
  InformerHandler,
  Informer,
  PodRef,
  PodLogOptions,
  PodSession,
  ClusterGateway,
  ClusterProvider,
} from '../contract/gateways.js';

import { systemClock, type Clock, type Logger } from '../contract/gateways.js';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Time, injectable so backoff and resync are testable without sleeping. */
export const realClock: Clock = systemClock;

export type TransportChoice = 'auto' | 'tunnel' | 'spdy' | 'websocket';
