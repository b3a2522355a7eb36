// The pod status the kubelet writes: Pending with its containers creating when it is scheduled,
// then Running with Ready as the simulation sets it. Pure, over the status object.

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: null;
  lastTransitionTime?: string;
}

interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  state?: unknown;
}

const unready = (containers: readonly string[]): string =>
  `containers with unready status: [${containers.join(' ')}]`;

/** A just-scheduled pod: sandbox ready, containers creating, not Ready. */
export const pendingPodStatus = (
  containers: readonly { name: string; image: string | undefined }[],
  podIP: string,
  hostIP: string,
  now: string,
): Record<string, unknown> => {
  const names = containers.map((c) => c.name);
  const notReady = (type: string): Condition => ({
    type,
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    reason: 'ContainersNotReady',
    message: unready(names),
  });
  return {
    phase: 'Pending',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      notReady('Ready'),
      notReady('ContainersReady'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    qosClass: 'BestEffort',
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: 'ContainerCreating' } },
    })),
  };
};

/**
 * Marks the status Running with its containers started and Ready as `ready` says; returns whether
 * the pod went from Ready to not Ready (a readiness probe failing).
 */
export const markRunning = (
  status: { phase?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[] },
  ready: boolean,
  containers: readonly string[],
  now: () => string,
): boolean => {
  let becameUnready = false;
  status.phase = 'Running';
  for (const c of status.conditions ?? []) {
    if (c.type !== 'Ready' && c.type !== 'ContainersReady') continue;
    const want = ready ? 'True' : 'False';
    if (c.status !== want) {
      if (c.status === 'True') becameUnready = true;
      c.status = want;
      c.lastTransitionTime = now();
    }
    if (ready) {
      delete c.reason;
      delete c.message;
    } else {
      c.reason = 'ContainersNotReady';
      c.message = unready(containers);
    }
  }
  for (const cs of status.containerStatuses ?? []) {
    cs.ready = ready;
    cs.started = true;
    const st = cs.state as { running?: unknown } | undefined;
    if (!st?.running) cs.state = { running: { startedAt: now() } };
  }
  return becameUnready;
};
