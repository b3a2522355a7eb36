// Synthetic forwards for the render measurement and the TUI's tests: `count` forwards over a few
// namespaces with every status represented, deterministic (no randomness, no clock).
import type { ForwardStatus, ForwardView } from '../contract/state.js';

const STATUSES: ForwardStatus[] = [
  'Active',
  'Active',
  'Active',
  'Active',
  'Connecting',
  'Waiting',
  'Error',
  'Pending',
];

export const syntheticForward = (i: number, overrides: Partial<ForwardView> = {}): ForwardView => {
  const ns = ['shop', 'payments', 'search', 'infra'][i % 4]!;
  const name = `svc-${String(i).padStart(4, '0')}`;
  const status = STATUSES[i % STATUSES.length]!;
  const port = String(8000 + (i % 50));
  const serviceKey = `${name}.${ns}.sim`;
  const podName = `${name}-7d9f6-${(i * 7919).toString(36).slice(-5).padStart(5, 'x')}`;
  return {
    key: `${serviceKey}.${podName}.${port}`,
    serviceKey,
    registryKey: serviceKey,
    serviceName: name,
    namespace: ns,
    context: 'sim',
    headless: false,
    podName,
    localIP: `127.40.${27 + Math.floor(i / 250)}.${1 + (i % 250)}`,
    localPort: port,
    podPort: i % 3 === 0 ? '80' : port,
    hostnames: [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`],
    status,
    ...(status === 'Error'
      ? {
          error: 'connection refused',
          errorCode: 'CONNECTION_REFUSED',
          reason: 'pod port refused the connection',
        }
      : {}),
    ...(status === 'Waiting' ? { reason: 'no ready pod' } : {}),
    startedAt: '2026-01-01T00:00:00.000Z',
    reconnects: i % 5 === 0 ? i % 7 : 0,
    connections: i % 9,
    activeConnections: i % 3,
    bytesIn: i * 1537,
    bytesOut: i * 311,
    rateIn: status === 'Active' ? (i % 11) * 100 : 0,
    rateOut: status === 'Active' ? (i % 13) * 10 : 0,
    avgRateIn: 0,
    avgRateOut: 0,
    ...overrides,
  };
};

export const syntheticForwards = (count: number): ForwardView[] =>
  Array.from({ length: count }, (_, i) => syntheticForward(i));
