import { describe, expect, it } from 'vitest';
import type { KPod, KService } from '../contract/kube.js';
import { isPodReady, planService, resolvePodPort, selectorMatches } from './reconcile.js';

const svc = (spec: Partial<KService['spec']>, name = 'web'): KService => ({
  metadata: { name, namespace: 'ns' },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 'http' }], ...spec },
});

const pod = (
  name: string,
  opts: {
    ready?: boolean;
    phase?: 'Running' | 'Pending';
    deleting?: boolean;
    labels?: Record<string, string>;
  } = {},
): KPod => ({
  metadata: {
    name,
    namespace: 'ns',
    labels: opts.labels ?? { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: 'x' } : {}),
  },
  spec: {
    containers: [
      { name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }] },
      { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] },
    ],
  },
  status: {
    phase: opts.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

const noMap = new Map<number, number>();

describe('planService', () => {
  it('picks the first ready pod and resolves named target ports per pod', () => {
    const plan = planService({
      service: svc({}),
      pods: [pod('web-b'), pod('web-a', { ready: false }), pod('web-c')],
      mappings: noMap,
    });
    expect(plan.kind === 'forward' && plan.main).toMatchObject({
      name: 'web',
      podName: 'web-b',
      ports: [{ port: 80, localPort: 80, podPort: 8080, containerName: 'app', targetPort: 'http' }],
    });
  });

  it('keeps the current pod while it stays ready', () => {
    const plan = planService({
      service: svc({}),
      pods: [pod('web-a'), pod('web-b')],
      mappings: noMap,
      currentPod: 'web-b',
    });
    expect(plan.kind === 'forward' && plan.main?.podName).toBe('web-b');
  });

  it('ignores deleting and other-labelled pods, and waits naming a not-ready one', () => {
    const plan = planService({
      service: svc({}),
      pods: [
        pod('web-a', { deleting: true }),
        pod('x', { labels: { app: 'x' } }),
        pod('web-p', { phase: 'Pending', ready: false }),
      ],
      mappings: noMap,
    });
    expect(plan).toMatchObject({
      kind: 'forward',
      waiting: { podName: 'web-p', reason: 'pod web-p is not ready yet' },
    });
    expect(plan.kind === 'forward' && plan.main).toBeUndefined();
  });

  it('headless: every ready pod as <pod>.<svc>', () => {
    const plan = planService({
      service: svc({ clusterIP: 'None' }),
      pods: [pod('web-1'), pod('web-0')],
      mappings: noMap,
    });
    expect(plan.kind === 'forward' && plan.perPod.map((t) => t.name)).toEqual(['web-0.web', 'web-1.web']);
    expect(plan.kind === 'forward' && plan.main?.podName).toBe('web-0');
  });

  it('selector-less: the pods named by Endpoints targetRefs', () => {
    const plan = planService({
      service: svc({ selector: {} }),
      pods: [pod('backend', { labels: {} })],
      endpoints: {
        metadata: { name: 'web' },
        subsets: [{ addresses: [{ ip: '1.1.1.1', targetRef: { kind: 'Pod', name: 'backend' } }] }],
      },
      mappings: noMap,
    });
    expect(plan.kind === 'forward' && plan.main?.podName).toBe('backend');
  });

  it('selector-less whose Endpoints name only pods that are gone: says which and how to fix them', () => {
    const endpoints = (...names: string[]) => ({
      metadata: { name: 'web' },
      subsets: [
        { addresses: names.map((n) => ({ ip: '1.1.1.1', targetRef: { kind: 'Pod' as const, name: n } })) },
      ],
    });
    const plan = (pods: KPod[], ...names: string[]) =>
      planService({ service: svc({ selector: {} }), pods, endpoints: endpoints(...names), mappings: noMap });
    expect(plan([pod('db-new', { labels: {} })], 'db-old')).toMatchObject({
      kind: 'forward',
      waiting: {
        code: 'ENDPOINTS_STALE',
        reason:
          'the service has no pod selector and its Endpoints name pod db-old, which no longer exists; point them at running pods (kubectl edit endpoints web -n ns)',
      },
    });
    // One of them exists but is not ready: that pod is the thing to wait for, not the Endpoints.
    const notReady = plan([pod('db-b', { labels: {}, ready: false })], 'db-a', 'db-b');
    expect(notReady.kind === 'forward' && notReady.waiting?.code).toBeUndefined();
  });

  it('skips ExternalName, UDP-only, port-less and selector-less without pod endpoints', () => {
    expect(
      planService({
        service: svc({ type: 'ExternalName', externalName: 'x.com' }),
        pods: [],
        mappings: noMap,
      }),
    ).toMatchObject({
      kind: 'skip',
      code: 'UNSUPPORTED_SERVICE',
    });
    expect(
      planService({ service: svc({ ports: [{ port: 53, protocol: 'UDP' }] }), pods: [], mappings: noMap }),
    ).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('UDP') as unknown,
    });
    expect(planService({ service: svc({ ports: [] }), pods: [], mappings: noMap })).toMatchObject({
      kind: 'skip',
    });
    expect(planService({ service: svc({ selector: undefined }), pods: [], mappings: noMap })).toMatchObject({
      kind: 'skip',
      code: 'NO_SELECTOR',
    });
  });

  it('forwards the TCP ports of a mixed service and applies mappings', () => {
    const plan = planService({
      service: svc({
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 80, targetPort: 8080 },
        ],
      }),
      pods: [pod('web-a')],
      mappings: new Map([[80, 9080]]),
    });
    expect(plan.kind === 'forward' && plan.skippedPorts).toEqual([
      '53/UDP (Kubernetes port-forward supports TCP only)',
    ]);
    expect(plan.kind === 'forward' && plan.main?.ports).toEqual([
      { port: 80, localPort: 9080, targetPort: '8080', protocol: 'TCP', podPort: 8080, containerName: 'app' },
    ]);
  });
});

describe('pods', () => {
  it('needs Running and Ready', () => {
    expect(isPodReady(pod('a'))).toBe(true);
    expect(isPodReady(pod('a', { ready: false }))).toBe(false);
    expect(isPodReady(pod('a', { phase: 'Pending' }))).toBe(false);
    expect(isPodReady(pod('a', { deleting: true }))).toBe(false);
  });

  it('falls back to the local port for an unknown named port (kubefwd)', () => {
    expect(resolvePodPort(pod('a'), 'nope', 1234)).toEqual({
      podPort: 1234,
      containerName: 'sidecar',
      unresolved: true,
    });
    expect(resolvePodPort(pod('a'), '9090', 1)).toEqual({ podPort: 9090, containerName: 'sidecar' });
    // A number need not be declared: no word about it.
    expect(resolvePodPort(pod('a'), '7000', 1)).toEqual({ podPort: 7000, containerName: 'sidecar' });
  });

  it('tells a named target port the pod does not declare, once per pod and port', () => {
    const plan = planService({
      service: svc({
        ports: [
          { port: 80, targetPort: 'nope' },
          { port: 81, targetPort: 'http' },
        ],
      }),
      pods: [pod('web-0')],
      mappings: noMap,
    });
    expect(plan.kind === 'forward' && plan.unresolvedPorts).toEqual([
      'port 80 targets port "nope", which pod web-0 does not declare; forwarding to its port 80 instead (Kubernetes itself routes nothing there)',
    ]);
  });
});

describe('selectorMatches', () => {
  it('needs every selector label with its value; extra labels do not matter', () => {
    expect(selectorMatches({ app: 'a', tier: 'db' }, { app: 'a', tier: 'db', x: 'y' })).toBe(true);
    expect(selectorMatches({ app: 'a', tier: 'db' }, { app: 'a' })).toBe(false);
    expect(selectorMatches({ app: 'a' }, { app: 'b' })).toBe(false);
    expect(selectorMatches({ app: 'a' }, undefined)).toBe(false);
    expect(selectorMatches({}, undefined)).toBe(true);
  });
  it('treats names like Object.prototype members as plain labels', () => {
    expect(selectorMatches({ constructor: 'x' }, {})).toBe(false);
    expect(selectorMatches({ constructor: 'x' }, { constructor: 'x' })).toBe(true);
    expect(selectorMatches({ toString: 'x' }, { toString: 'y' })).toBe(false);
  });
});
