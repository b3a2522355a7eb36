// The records a forward target shows the world (one service, one forward per port), built from its
// identity, its ports and its connection state: pure, so what a status looks like is tested alone.
import type { KubefwdError } from '../../contract/errors.js';
import type { ForwardStatus } from '../../contract/state.js';
import { forwardKey, type ForwardRecord, type ServiceRecord } from '../model.js';
import type { PortPlan, TargetPort } from '../reconcile.js';
import type { TargetIdentity } from './context.js';

/** A port's plan: a PortPlan before a pod is chosen, a TargetPort (with the pod's port) after. */
export type PlannedPort = TargetPort | PortPlan;

/** The port on the pod, once a pod is chosen. */
export const podPortOf = (p: PlannedPort): number | undefined => ('podPort' in p ? p.podPort : undefined);

/** The connection state every port's record shares. */
export interface TargetView {
  pod: string | undefined;
  status: ForwardStatus;
  reason: string | undefined;
  error: string | undefined;
  errorCode: string | undefined;
  nextRetryAt: string | undefined;
  reconnects: number;
}

/** One port as the record sees it: the plan, when it began, and why it cannot listen (if so). */
export interface PortView {
  plan: PlannedPort;
  startedAt: string;
  listenError?: KubefwdError;
}

export const serviceRecordOf = (id: TargetIdentity, plans: Iterable<PlannedPort>): ServiceRecord => ({
  key: id.key,
  registryKey: id.registryKey,
  serviceName: id.name,
  namespace: id.namespace,
  context: id.context,
  headless: id.headless,
  localIP: id.ip,
  hostnames: [...id.hostnames],
  ports: [...plans].map((plan) => ({
    ...(plan.name !== undefined ? { name: plan.name } : {}),
    port: plan.port,
    localPort: plan.localPort,
    targetPort: plan.targetPort,
    protocol: 'TCP' as const,
  })),
});

/** A port's forward record: the target's state, or the port's own Error when it cannot listen. */
export const forwardRecordOf = (id: TargetIdentity, port: PortView, view: TargetView): ForwardRecord => {
  const plan = port.plan;
  const podPort = podPortOf(plan);
  const containerName = 'containerName' in plan ? plan.containerName : undefined;
  const base: ForwardRecord = {
    key: forwardKey(id.key, view.pod ?? '-', plan.localPort),
    serviceKey: id.key,
    registryKey: id.registryKey,
    serviceName: id.name,
    namespace: id.namespace,
    context: id.context,
    headless: id.headless,
    podName: view.pod ?? '',
    ...(containerName !== undefined ? { containerName } : {}),
    localIP: id.ip,
    localPort: String(plan.localPort),
    podPort: podPort === undefined ? plan.targetPort : String(podPort),
    hostnames: [...id.hostnames],
    status: view.status,
    startedAt: port.startedAt,
    reconnects: view.reconnects,
  };
  if (port.listenError)
    return {
      ...base,
      status: 'Error',
      error: port.listenError.message,
      errorCode: port.listenError.code,
      reason: `cannot listen on ${id.ip}:${plan.localPort}: ${port.listenError.message}`,
    };
  if (view.reason !== undefined) base.reason = view.reason;
  if (view.error !== undefined) base.error = view.error;
  if (view.errorCode !== undefined) base.errorCode = view.errorCode;
  if (view.nextRetryAt !== undefined) base.nextRetryAt = view.nextRetryAt;
  return base;
};
